import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import Webhooks

/// The real `runa-ledger serve` executable, started as a child process on a free port.
public final class ServiceProcess: @unchecked Sendable {
    public let process = Process()
    public let port: Int
    private let errors = Pipe()
    private let captured = CapturedLog()

    /// Everything the service logged (its stderr) so far.
    public var log: String { captured.text }

    /// The service's resident set size in bytes, from `/proc` (0 when unreadable).
    public var residentBytes: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// The built executable beside the test bundle (SwiftPM builds every product before running tests).
    public static var executable: URL {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("runa-ledger")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return Repository.root.appendingPathComponent(".build/debug/runa-ledger")
    }

    /// Starts `serve` on `database` and waits until it logs that it listens.
    public convenience init(database: String, secret: WebhookSecret, extraEnvironment: [String: String] = [:]) throws {
        try self.init(launching: Self.executable,
                      arguments: ["serve", "--db", database, "--port", "0", "--migrations", Repository.migrations.path],
                      secret: secret, extraEnvironment: extraEnvironment)
    }

    /// Starts `executable` (`serve` itself, or a wrapper that ends by running it) and waits until the service logs
    /// that it listens.
    public init(launching executable: URL, arguments: [String], secret: WebhookSecret, extraEnvironment: [String: String] = [:]) throws {
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["RUNA_WEBHOOK_SECRETS"] = secret.exposedValue
        environment["LOG_LEVEL"] = "info"
        environment.merge(extraEnvironment) { $1 }
        // An empty value in `extraEnvironment` removes the variable (e.g. the secrets, to read them from a file).
        for (key, value) in extraEnvironment where value.isEmpty { environment[key] = nil }
        process.environment = environment
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        var port: Int?
        while port == nil {
            let chunk = errors.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw CocoaError(.executableLoad, userInfo: [NSDebugDescriptionErrorKey: seen]) }
            seen += String(decoding: chunk, as: UTF8.self)
            for line in seen.split(separator: "\n") where line.contains(#""msg":"listening""#) {
                if let range = line.range(of: #"http://127.0.0.1:(\d+)"#, options: .regularExpression) {
                    port = Int(line[range].split(separator: ":").last ?? "")
                }
            }
        }
        self.port = port ?? 0
        // Keep draining stderr so the child never blocks on a full pipe, and keep it for tests that read the log.
        captured.append(seen)
        errors.fileHandleForReading.readabilityHandler = { [captured] handle in
            let chunk = String(decoding: handle.availableData, as: UTF8.self)
            captured.append(chunk)
        }
    }

    public func kill(_ signal: Int32) {
        Foundation.kill(process.processIdentifier, signal)
    }

    public func waitForExit() -> Int32 {
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        let rest = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        captured.append(rest)
        return process.terminationStatus
    }

    /// POSTs a delivery; `nil` when the connection failed (the process died under it).
    public func post(_ delivery: SignedDelivery) async -> Int? {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/runa")
        request.method = .POST
        for (name, value) in delivery.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: delivery.body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(2))
            _ = try await response.body.collect(upTo: 1 << 16)
            return Int(response.status.code)
        } catch {
            return nil
        }
    }
}

/// Text appended from a pipe's handler thread and read from tests.
public final class CapturedLog: Sendable {
    private let storage = Mutex<String>("")
    public func append(_ text: String) { storage.withLock { $0 += text } }
    public var text: String { storage.withLock { $0 } }
}
