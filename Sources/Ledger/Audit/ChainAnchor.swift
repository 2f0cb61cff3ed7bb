import Digest
import Foundation
import GRDB

/// The keys that sign chain anchors, read from a file the database never holds (a systemd credential, say).
///
/// One key per line, `id:hex` with at least 32 bytes of key; `#` starts a comment. The first key signs new
/// anchors; every key verifies, so a rotation prepends a new line and keeps the old ones.
public struct AnchorKeyring: Sendable {
    public struct Key: Sendable {
        public let id: String
        let bytes: [UInt8]
    }

    public let keys: [Key]

    /// The key new anchors are signed with.
    public var signing: Key { keys[0] }

    public init(parsing text: String) throws(LedgerError) {
        var keys: [Key] = []
        for (number, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64,
                  parts[0].allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
            else { throw .configuration("anchor key line \(number + 1): expected id:hex (id of letters, digits, - _ .)") }
            guard let bytes = Self.hexBytes(parts[1]), bytes.count >= 32 else {
                throw .configuration("anchor key \(parts[0]): expected at least 64 hex digits (openssl rand -hex 32)")
            }
            guard !keys.contains(where: { $0.id == parts[0] }) else {
                throw .configuration("anchor key \(parts[0]) appears twice")
            }
            keys.append(Key(id: parts[0], bytes: bytes))
        }
        guard !keys.isEmpty else { throw .configuration("the anchor key file holds no key") }
        self.keys = keys
    }

    func key(id: String) -> Key? { keys.first { $0.id == id } }

    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
        }
        return out
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// A signed statement of where both hash chains stood at one moment: the last `order_events` sequence and hash,
/// and the last `access_log` id and hash.
///
/// Each head's hash commits to everything before it, so one anchor kept where the database's writer cannot
/// rewrite it (a file outside the ledger's folder, or the log line shipped off the host) makes all history up to
/// it tamper-evident: a rewrite changes the hash at that position, and a truncation removes the position.
public struct ChainAnchor: Codable, Sendable, Equatable {
    public static let currentFormat = "runa-ledger-anchor/1"

    public var format: String
    public var at: String
    public var eventSeq: Int64
    public var eventHash: String
    public var accessLogId: Int64
    public var accessLogHash: String
    public var keyId: String
    /// HMAC-SHA256 (hex) of the fields above under the key `keyId`.
    public var mac: String

    enum CodingKeys: String, CodingKey {
        case format, at, eventSeq = "event_seq", eventHash = "event_hash", accessLogId = "access_log_id"
        case accessLogHash = "access_log_hash", keyId = "key_id", mac
    }

    /// Signs the two heads with the keyring's signing key.
    public init(events: AuditTrail.Head, accessLog: AuditTrail.Head, at: String, keyring: AnchorKeyring) {
        format = Self.currentFormat
        self.at = at
        eventSeq = events.seq
        eventHash = events.hash
        accessLogId = accessLog.seq
        accessLogHash = accessLog.hash
        keyId = keyring.signing.id
        mac = ""
        mac = Digest.hex(Digest.hmacSHA256(key: keyring.signing.bytes, message: Array(signedText.utf8)))
    }

    var signedText: String {
        [format, at, String(eventSeq), eventHash, String(accessLogId), accessLogHash, keyId].joined(separator: "\n")
    }

    /// Why the anchor cannot be trusted under `keyring`, or `nil` when its MAC verifies.
    public func authenticationProblem(_ keyring: AnchorKeyring) -> String? {
        guard format == Self.currentFormat else { return "unknown format \(format)" }
        guard let key = keyring.key(id: keyId) else { return "signed with key \(keyId), which the key file does not hold" }
        let expected = Digest.hmacSHA256(key: key.bytes, message: Array(signedText.utf8))
        guard Digest.constantTimeEquals(expected, AnchorKeyring.hexBytes(mac) ?? []) else {
            return "its MAC does not verify: forged, or altered after it was written"
        }
        return nil
    }

    /// The anchor as one line of JSON, keys sorted (how it is written and logged).
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// A folder of anchors, one file each, never overwritten: `anchor-<event seq>-<access id>-<time>.json`.
///
/// Point it at storage the ledger's writer cannot rewrite: another user's folder it may only create files in,
/// a `chattr +a` directory, or a mount synced off the host.
public struct AnchorDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Writes `anchor` as a new file (created exclusively and flushed to disk, with its folder); returns its name.
    @discardableResult
    public func write(_ anchor: ChainAnchor) throws -> String {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let stamp = anchor.at.filter { $0.isNumber }.prefix(20)
        let name = "anchor-\(anchor.eventSeq)-\(anchor.accessLogId)-\(stamp).json"
        let file = (path as NSString).appendingPathComponent(name)
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard descriptor >= 0 else { throw LedgerError.unavailable("cannot create \(file): errno \(errno)") }
        defer { close(descriptor) }
        let bytes = Array((anchor.jsonLine + "\n").utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw LedgerError.unavailable("cannot write \(file): errno \(errno)")
        }
        let folder = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 { _ = fsync(folder); close(folder) }
        return name
    }

    /// Every `anchor-*.json` file, by name, each decoded or with why it could not be.
    public func readAll() throws -> [(name: String, anchor: Result<ChainAnchor, LedgerError>)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
            .filter { $0.hasPrefix("anchor-") && $0.hasSuffix(".json") }.sorted()
        return names.map { name in
            let file = (path as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: file),
                  let anchor = try? JSONDecoder().decode(ChainAnchor.self, from: data)
            else { return (name, .failure(.unavailable("\(name) is not an anchor"))) }
            return (name, .success(anchor))
        }
    }
}

extension LedgerDatabase {
    /// Both chains' heads on one snapshot, signed: what the service writes on a schedule.
    public func anchor(keyring: AnchorKeyring) async throws -> ChainAnchor {
        try await pool.read { db in
            ChainAnchor(events: try AuditTrail.head(db), accessLog: try AccessLogChain.head(db),
                        at: LedgerClock.nowText(), keyring: keyring)
        }
    }
}

extension LedgerCheckReport {
    /// Each anchor against the live chains: its MAC verifies (when the keys are given), and each head it records is
    /// still there with the same hash.
    static func anchorProblems(_ anchors: [(name: String, anchor: Result<ChainAnchor, LedgerError>)],
                               keyring: AnchorKeyring?, db: Database) throws -> [String] {
        var problems: [String] = []
        let lastEvent = try AuditTrail.head(db).seq, lastAccess = try AccessLogChain.head(db).seq
        for (name, decoded) in anchors {
            let anchor: ChainAnchor
            switch decoded {
            case .failure(let error): problems.append("anchor \(name): \(error)"); continue
            case .success(let value): anchor = value
            }
            if let keyring, let problem = anchor.authenticationProblem(keyring) {
                problems.append("anchor \(name): \(problem)")
                continue
            }
            if anchor.eventSeq > lastEvent {
                problems.append("anchor \(name): records event \(anchor.eventSeq) but the chain ends at \(lastEvent): events were removed")
            } else if try AuditTrail.hash(at: anchor.eventSeq, db) != anchor.eventHash {
                problems.append("anchor \(name): event \(anchor.eventSeq) is not the one it recorded: history up to it was rewritten")
            }
            if anchor.accessLogId > lastAccess {
                problems.append("anchor \(name): records access-log entry \(anchor.accessLogId) but the log ends at \(lastAccess): entries were removed")
            } else if try AccessLogChain.hash(at: anchor.accessLogId, db) != anchor.accessLogHash {
                problems.append("anchor \(name): access-log entry \(anchor.accessLogId) is not the one it recorded: the log up to it was rewritten")
            }
        }
        return problems
    }
}
