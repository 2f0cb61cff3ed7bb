import Foundation
import Testing
import TestSupport

/// The role a route needs is decided by the route the router runs, whatever spelling of the path reached it.
@Suite("Authorization on the route that runs", .serialized)
struct AuthorizationTests {
    /// Spellings of `/v1/access-log` a client library would not send but a socket can: empty segments, the
    /// absolute form, case, percent-encoding, a trailing slash, dot segments.
    static let variants = [
        "/v1/access-log", "//v1/access-log", "/v1//access-log", "///v1///access-log", "/v1/access-log/",
        "http://x//v1/access-log", "http://x/v1/access-log", "/V1/ACCESS-LOG", "/v1/Access-Log", "/v1/access%2Dlog",
        "/v1/access%2dlog", "/%761/access-log", "/v1/./access-log", "/v1/orders/../access-log", "/v1/access-log?limit=5",
        "//v1/access-log?format=csv", "/v1/access-log%2F", "/v1/access-log;x",
    ]

    @Test("a dashboard token never reads the access log, however the path is spelled; an auditor token does")
    func accessLogVariants() async throws {
        let service = try await ServiceHarness.start(apiTokens: FinanceAuditTests.tokens)
        // Something to read: one logged request.
        _ = try await RawHTTP.get(port: service.port, target: "/v1/orders",
                                  headers: [("Authorization", "Bearer \(FinanceAuditTests.dashboardToken)")])
        for target in Self.variants {
            let (status, answer) = try await RawHTTP.get(
                port: service.port, target: target,
                headers: [("Authorization", "Bearer \(FinanceAuditTests.dashboardToken)")])
            #expect(status != 200 && !answer.contains("token_id") && !answer.contains("wallboard"),
                    "dashboard token, \(target): \(status)")
            #expect([403, 404, 400].contains(status), "\(target): \(status)")
        }
        let (status, answer) = try await RawHTTP.get(
            port: service.port, target: "/v1/access-log",
            headers: [("Authorization", "Bearer \(FinanceAuditTests.auditorToken)")])
        #expect(status == 200 && answer.contains("wallboard"))
        for target in ["//v1/access-log", "http://x//v1/access-log"] {
            let (status, _) = try await RawHTTP.get(
                port: service.port, target: target, headers: [("Authorization", "Bearer \(FinanceAuditTests.auditorToken)")])
            #expect([200, 404].contains(status), "auditor, \(target): \(status)")
        }
        try await service.stop()
    }
}
