import Foundation
import Logging
import RunaSim
import ServiceLifecycle

/// The Runa simulator running in the test process on a free loopback port.
public final class RunningSimulator: Sendable {
    public let simulator: RunaSimulator
    public let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    /// The API base URL, with `/v2`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v2" }

    public init(_ configuration: SimConfiguration) async throws {
        let logger = Logger(label: "sim")
        simulator = try RunaSimulator(configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = SimServer(simulator: simulator, logger: logger).makeApplication { continuation.yield($0) }
        group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let group = self.group
        running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        self.port = port
    }

    /// Waits until every webhook that will ever be sent has been sent (at most `timeout`).
    public func settle(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !simulator.webhooksSettled, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(700))  // duplicates follow their originals within 0.5 s
    }

    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
