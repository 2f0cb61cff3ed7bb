import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import RunaModels
@testable import RunaSim
import ServiceLifecycle
import Synchronization
import TestSupport

/// The simulator, in process, on a free loopback port, with helpers to call it as Runa's clients do.
final class SimHarness: Sendable {
    static let apiKey = "sim-test-key"
    private let running: RunningSimulator

    var simulator: RunaSimulator { running.simulator }
    var baseURL: String { running.baseURL }

    static func start(_ configure: (inout SimConfiguration) -> Void = { _ in }) async throws -> SimHarness {
        var configuration = SimConfiguration(apiKey: apiKey)
        configure(&configuration)
        return SimHarness(running: try await RunningSimulator(configuration))
    }

    private init(running: RunningSimulator) { self.running = running }

    func stop() async throws { try await running.stop() }

    struct Answer: Sendable {
        var status: Int
        var body: Data
        var headers: HTTPHeaders

        var text: String { String(decoding: body, as: UTF8.self) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try RunaJSON.decode(type, from: body) }
    }

    /// `POST /order` with Runa's headers; `nil` leaves a header out.
    func placeOrder(_ body: String, key: String? = UUID().uuidString, mode: String? = nil,
                    apiKey: String? = SimHarness.apiKey) async throws -> Answer {
        var headers: [(String, String)] = [("Content-Type", "application/json"), ("X-Api-Version", "2024-02-05")]
        if let apiKey { headers.append(("X-Api-Key", apiKey)) }
        if let key { headers.append(("X-Idempotency-Key", key)) }
        if let mode { headers.append(("X-Execution-Mode", mode)) }
        return try await send(.POST, "/order", headers: headers, body: Data(body.utf8))
    }

    func get(_ path: String, apiKey: String? = SimHarness.apiKey) async throws -> Answer {
        try await send(.GET, path, headers: apiKey.map { [("X-Api-Key", $0)] } ?? [], body: nil)
    }

    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)], body: Data?) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), body: Data(collected.readableBytesView), headers: response.headers)
    }

    /// Waits (up to `timeout`) until `condition` holds.
    func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}
