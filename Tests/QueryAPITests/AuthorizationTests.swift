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

@Suite("HEAD is answered wherever GET is", .serialized)
struct HeadRequestTests {
    @Test("HEAD answers GET's status and headers with no body, and is authorized and logged like GET",
          arguments: ["/healthz", "/readyz", "/v1/orders", "/v1/orders?format=csv", "/v1/summary", "/v1/openapi.json", "/v1/access-log"])
    func head(path: String) async throws {
        let service = try await ServiceHarness.start(apiTokens: FinanceAuditTests.tokens)
        let auth = [("Authorization", "Bearer \(FinanceAuditTests.dashboardToken)")]
        let (getStatus, getAnswer) = try await RawHTTP.get(port: service.port, target: path, headers: auth)
        let (headStatus, headAnswer) = try await RawHTTP.get(port: service.port, target: path, headers: auth, method: "HEAD")
        #expect(headStatus == getStatus, "\(path): HEAD \(headStatus), GET \(getStatus) \(getAnswer.prefix(200))")
        #expect(headStatus != 404)
        let parts = headAnswer.components(separatedBy: "\r\n\r\n")
        #expect(parts.count == 2 && parts[1].isEmpty, "no body: \(headAnswer.prefix(300))")
        let getLength = getAnswer.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n").utf8.count
        if !getAnswer.lowercased().contains("transfer-encoding: chunked") {
            #expect(headAnswer.lowercased().contains("content-length: \(getLength)"), "GET's length: \(headAnswer.prefix(300))")
        } else {
            #expect(headAnswer.lowercased().contains("content-length: "), "a length, never a chunked HEAD answer")
        }
        let (unauthorized, _) = try await RawHTTP.get(port: service.port, target: path, headers: [], method: "HEAD")
        if path.hasPrefix("/v1/") && path != "/v1/openapi.json" { #expect(unauthorized == 401) }
        if path.hasPrefix("/v1/orders") {
            let logged = try await service.value("SELECT count(*) FROM access_log WHERE method = 'HEAD'", as: Int.self)
            #expect(logged == 0, "HEAD is logged as the GET it runs")
            let gets = try await service.value("SELECT count(*) FROM access_log WHERE path = '/v1/orders'", as: Int.self)
            #expect(gets == 2, "both the GET and the HEAD are in the access log")
        }
        try await service.stop()
    }
}
