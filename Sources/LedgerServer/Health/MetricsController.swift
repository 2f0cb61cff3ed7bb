import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: the Prometheus text exposition of every metric the service records.
struct MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry
    /// Gauges of stored state, refreshed before each scrape.
    let gauges: StateGauges

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/metrics") { _, _ in
            await gauges.refresh()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
