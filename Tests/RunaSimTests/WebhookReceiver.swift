import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A stand-in webhook endpoint that records every delivery and answers as its policy says.
final class WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        var headers: [String: String]
        var body: Data
        var id: String { headers["svix-id"] ?? "" }
    }

    /// The deliveries received so far, in arrival order.
    final class Log: Sendable {
        private let list = Mutex<[Delivery]>([])
        var all: [Delivery] { list.withLock { $0 } }

        /// Records `delivery`; returns how many earlier deliveries had its id.
        func record(_ delivery: Delivery) -> Int {
            list.withLock { list in
                defer { list.append(delivery) }
                return list.filter { $0.id == delivery.id }.count
            }
        }
    }

    let log = Log()
    let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    var deliveries: [Delivery] { log.all }
    var url: String { "http://127.0.0.1:\(port)/hook" }

    /// `policy(delivery, earlierAttemptsWithItsId)` returns the status to answer (default 204).
    init(policy: @escaping @Sendable (Delivery, Int) -> Int = { _, _ in 204 }) async throws {
        let router = Router()
        let log = self.log
        router.post("hook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let delivery = Delivery(headers: headers, body: Data(body.readableBytesView))
            return Response(status: .init(code: policy(delivery, log.record(delivery))))
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) },
                              logger: Logger(label: "receiver"))
        group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "receiver")))
        let group = self.group
        running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        self.port = port
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await running.value
    }
}
