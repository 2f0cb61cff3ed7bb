import Foundation
import Testing
import TestSupport
@testable import LedgerServer

@Suite("Configuration")
struct ServiceSettingsTests {
    let secret = "whsec_ZGV2LW9ubHktc2VjcmV0LWRvLW5vdC11c2UtaW4tcHJvZA=="

    @Test("defaults are DESIGN.md's")
    func defaults() throws {
        let settings = try ServiceSettings.load(environment: ["RUNA_WEBHOOK_SECRETS": secret], requireWebhookSecrets: true)
        #expect(settings.databasePath == "./data/ledger.sqlite")
        #expect(settings.host == "127.0.0.1" && settings.port == 8080)
        #expect(settings.maxBodyBytes == 1_048_576)
        #expect(settings.apiTokens.isEmpty && settings.runaAPIKey == nil)
        #expect(settings.runaBaseURL == "https://api.runa.io/v2")
        #expect(settings.reconcileIntervalSeconds == 60 && settings.reconcileStaleAfterSeconds == 600)
        #expect(settings.payoutRefreshSeconds == [3_600, 21_600, 86_400, 604_800])
    }

    @Test("a flag wins over its environment variable; durations take s, m, h, d or plain seconds")
    func precedence() throws {
        let settings = try ServiceSettings.load(
            environment: ["RUNA_WEBHOOK_SECRETS": secret, "LEDGER_PORT": "9000", "LEDGER_DB": "/env.sqlite",
                          "RECONCILE_INTERVAL": "90", "RECONCILE_STALE_AFTER": "1d", "RECONCILE_PAYOUT_REFRESH": "30m, 2h"],
            flags: [.port: "9100"], requireWebhookSecrets: true)
        #expect(settings.port == 9100)
        #expect(settings.databasePath == "/env.sqlite")
        #expect(settings.reconcileIntervalSeconds == 90 && settings.reconcileStaleAfterSeconds == 86_400)
        #expect(settings.payoutRefreshSeconds == [1_800, 7_200])
    }

    @Test("secrets can come from NAME_FILE, and several secrets are read for rotation")
    func secretFiles() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("secrets")
        try "\(secret),whsec_b2xkLXNlY3JldA==\n".write(toFile: path, atomically: true, encoding: .utf8)
        let settings = try ServiceSettings.load(environment: ["RUNA_WEBHOOK_SECRETS_FILE": path], requireWebhookSecrets: true)
        #expect(settings.webhookSecrets.count == 2)
        #expect(throws: ServiceSettings.Problems.self) {
            try ServiceSettings.load(environment: ["RUNA_WEBHOOK_SECRETS_FILE": folder.path("missing")], requireWebhookSecrets: true)
        }
    }

    @Test("every bad setting is reported, one line each, naming variable and flag, never echoing a secret")
    func problems() {
        do {
            _ = try ServiceSettings.load(environment: [
                "RUNA_WEBHOOK_SECRETS": "whsec_!!!secretish", "LEDGER_PORT": "http", "LEDGER_MAX_BODY_BYTES": "12",
                "RUNA_BASE_URL": "ftp://x", "LEDGER_API_TOKENS": "short", "LOG_LEVEL": "loud",
                "RECONCILE_PAYOUT_REFRESH": "1h,,soon",
            ], requireWebhookSecrets: true)
            Issue.record("accepted a bad configuration")
        } catch {
            #expect(error.lines.count == 7, "\(error.lines)")
            #expect(error.lines.contains { $0.hasPrefix("LEDGER_PORT (--port)") })
            #expect(error.lines.contains { $0.hasPrefix("RUNA_WEBHOOK_SECRETS (--webhook-secrets): secret #1") })
            #expect(!error.description.contains("secretish"))
        }
    }

    @Test("serve requires webhook secrets; migrate and check do not")
    func secretsRequiredOnlyToServe() throws {
        #expect(throws: ServiceSettings.Problems.self) { try ServiceSettings.load(environment: [:], requireWebhookSecrets: true) }
        _ = try ServiceSettings.load(environment: [:], requireWebhookSecrets: false)
    }
}
