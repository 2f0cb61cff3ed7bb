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

    @Test("a --…-file flag reads its secret from a file and wins over the environment; every secret setting has one")
    func secretFileFlags() throws {
        let folder = try TemporaryFolder()
        let tokens = folder.path("tokens"), key = folder.path("anchor-key")
        try "auditor:finance:from-the-file-0001\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        try ("k1:" + String(repeating: "0f", count: 32)).write(toFile: key, atomically: true, encoding: .utf8)
        let settings = try ServiceSettings.load(
            environment: ["RUNA_WEBHOOK_SECRETS": secret, "LEDGER_API_TOKENS": "dashboard:env:from-the-environment"],
            fileFlags: [.apiTokens: tokens, .anchorKey: key], requireWebhookSecrets: true)
        #expect(settings.apiTokens == ["auditor:finance:from-the-file-0001"])
        #expect(settings.anchorKeyring?.signing.id == "k1")
        for key in ServiceSettings.Key.allCases where key.isSecret { #expect(key.fileFlag?.hasSuffix("-file") == true, "\(key)") }
    }

    @Test("limits and anchors: deadlines and the cap are read; an anchor folder needs a key, and a bad key is named, not echoed")
    func limitsAndAnchors() throws {
        let settings = try ServiceSettings.load(environment: [
            "RUNA_WEBHOOK_SECRETS": secret, "LEDGER_HEADER_TIMEOUT": "5s", "LEDGER_BODY_TIMEOUT": "1m",
            "LEDGER_IDLE_TIMEOUT": "2m", "LEDGER_MAX_CONNECTIONS": "64", "LEDGER_ANCHOR_EVERY": "1m",
            "LEDGER_ANCHOR_KEY": "k1:" + String(repeating: "0f", count: 32),
        ], requireWebhookSecrets: true)
        #expect(settings.connectionLimits.headerTimeout == .seconds(5) && settings.connectionLimits.bodyTimeout == .seconds(60))
        #expect(settings.connectionLimits.idleTimeout == .seconds(120) && settings.connectionLimits.maxConnections == 64)
        #expect(settings.anchorIntervalSeconds == 60 && settings.anchorDirectory == nil)
        do {
            _ = try ServiceSettings.load(environment: [
                "RUNA_WEBHOOK_SECRETS": secret, "LEDGER_ANCHOR_DIR": "/tmp/anchors", "LEDGER_MAX_CONNECTIONS": "1",
            ], requireWebhookSecrets: true)
            Issue.record("an anchor folder without a key was accepted")
        } catch {
            #expect(error.lines.contains { $0.hasPrefix("LEDGER_ANCHOR_DIR (--anchor-dir): anchors need their key") }, "\(error.lines)")
            #expect(error.lines.contains { $0.hasPrefix("LEDGER_MAX_CONNECTIONS (--max-connections)") })
        }
        do {
            _ = try ServiceSettings.load(environment: ["LEDGER_ANCHOR_KEY": "k1:secretish-not-hex"], requireWebhookSecrets: false)
            Issue.record("a malformed anchor key was accepted")
        } catch {
            #expect(error.lines.contains { $0.hasPrefix("LEDGER_ANCHOR_KEY (--anchor-key-file)") }, "\(error.lines)")
            #expect(!error.description.contains("secretish"))
        }
    }
}
