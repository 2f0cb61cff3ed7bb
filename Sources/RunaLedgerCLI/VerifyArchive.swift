import ArgumentParser
import Digest
import Foundation
import GRDB
import Ledger
import LedgerServer
import RunaModels
import Webhooks

/// `runa-ledger verify-archive`: re-checks every stored delivery body against its recorded SHA-256 and, with the
/// webhook secrets, against the signature it arrived with.
struct VerifyArchive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-archive",
        abstract: "Re-check every stored delivery: its body against its recorded hash, and its signature.",
        discussion: """
            Reads the ledger without changing it. Every body must hash to the SHA-256 recorded when it arrived. With \
            the webhook secrets (RUNA_WEBHOOK_SECRETS or RUNA_WEBHOOK_SECRETS_FILE, every secret ever used), every \
            stored signature must verify over its body, ignoring the five-minute window (it is checked at the \
            signing time). Deliveries stored before signatures were kept (migration 0007) are counted apart. \
            Exit 0 only when nothing differs.
            """)

    @OptionGroup var options: SettingsOptions
    @Option(name: .customLong("webhook-secrets"), help: "Comma-separated whsec_… secrets (prefer RUNA_WEBHOOK_SECRETS_FILE).")
    var webhookSecrets: String?

    func run() async throws {
        var extraFlags: [ServiceSettings.Key: String] = [:]
        extraFlags[.webhookSecrets] = webhookSecrets
        let settings = try options.load(requireWebhookSecrets: false, extraFlags: extraFlags)
        guard FileManager.default.fileExists(atPath: settings.databasePath) else {
            FileHandle.standardError.write(Data("no ledger at \(settings.databasePath)\n".utf8))
            throw ExitCode(1)
        }
        let verifier = settings.webhookSecrets.isEmpty ? nil : SignatureVerifier(secrets: settings.webhookSecrets)
        var configuration = Configuration()
        configuration.readonly = true
        let database = try DatabaseQueue(path: settings.databasePath, configuration: configuration)
        defer { try? database.close() }
        let (checked, hashMismatches, signatureFailures, unsigned) = try await database.read { db in
            var checked = 0, hashMismatches: [String] = [], signatureFailures: [String] = [], unsigned = 0
            let rows = try Row.fetchCursor(db, sql: "SELECT msg_id, signed_at, body_sha256, body, signatures FROM webhook_deliveries ORDER BY rowid")
            while let row = try rows.next() {
                checked += 1
                let messageId: String = row["msg_id"]
                let body: Data = row["body"] ?? Data()
                if Digest.hex(Digest.sha256(body)) != row["body_sha256"] as String { hashMismatches.append(messageId) }
                guard let verifier else { continue }
                let signedText: String = row["signed_at"]
                guard let signatures: String = row["signatures"],
                      let signedAt = Timestamp(rfc3339: signedText) else { unsigned += 1; continue }
                let seconds = signedAt.microsecondsSinceEpoch / 1_000_000
                let headers = WebhookHeaders(id: messageId, timestamp: String(seconds), signature: signatures)
                if case .failure = verifier.verify(headers: headers, body: body, now: seconds) {
                    signatureFailures.append(messageId)
                }
            }
            return (checked, hashMismatches, signatureFailures, unsigned)
        }
        print("deliveries checked: \(checked)")
        print(hashMismatches.isEmpty ? "bodies: every one matches its recorded SHA-256"
              : "bodies: \(hashMismatches.count) differ from their recorded SHA-256, e.g. \(hashMismatches.prefix(3).joined(separator: ", "))")
        if verifier == nil {
            print("signatures: not checked (give the webhook secrets to check them)")
        } else {
            print(signatureFailures.isEmpty ? "signatures: every stored one verifies (\(checked - unsigned))"
                  : "signatures: \(signatureFailures.count) do not verify, e.g. \(signatureFailures.prefix(3).joined(separator: ", "))")
            if unsigned > 0 { print("signatures: \(unsigned) deliveries were stored before signatures were kept") }
        }
        print(hashMismatches.isEmpty && signatureFailures.isEmpty ? "archive OK" : "archive NOT OK")
        if !hashMismatches.isEmpty || !signatureFailures.isEmpty { throw ExitCode(1) }
    }
}
