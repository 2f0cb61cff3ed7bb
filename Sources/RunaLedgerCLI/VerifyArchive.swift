import ArgumentParser
import Digest
import Foundation
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
            Then every field of every order whose last change came from a webhook is re-derived from that \
            delivery's signed body and compared with the ledger; each disagreement is listed. \
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
        var checked = 0, hashMismatches: [String] = [], signatureFailures: [String] = [], unsigned = 0
        try LedgerDatabase.forEachStoredDelivery(path: settings.databasePath) { delivery in
            checked += 1
            if Digest.hex(Digest.sha256(delivery.body)) != delivery.recordedSHA256 { hashMismatches.append(delivery.messageId) }
            guard let verifier else { return }
            guard let signatures = delivery.signatures, let signedAt = delivery.signedAt else { unsigned += 1; return }
            let seconds = signedAt.microsecondsSinceEpoch / 1_000_000
            let headers = WebhookHeaders(id: delivery.messageId, timestamp: String(seconds), signature: signatures)
            if case .failure = verifier.verify(headers: headers, body: delivery.body, now: seconds) {
                signatureFailures.append(delivery.messageId)
            }
        }
        let derivation = try LedgerDatabase.deriveFromArchive(path: settings.databasePath)

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
        print("ledger from signed bodies: \(derivation.fieldsChecked) webhook-sourced fields of \(derivation.ordersChecked) orders re-derived; "
              + "\(derivation.fieldsFromAPI) fields last set by Runa's API have no signed body and were not compared")
        if derivation.disagreements.isEmpty {
            print("ledger from signed bodies: every webhook-sourced field is what its signed body says")
        } else {
            print("ledger from signed bodies: \(derivation.disagreements.count) disagreements")
            for disagreement in derivation.disagreements { print("  \(disagreement)") }
        }
        let intact = hashMismatches.isEmpty && signatureFailures.isEmpty && derivation.disagreements.isEmpty
        print(intact ? "archive OK" : "archive NOT OK")
        if !intact { throw ExitCode(1) }
    }
}
