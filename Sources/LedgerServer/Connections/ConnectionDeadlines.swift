import Metrics
import NIOCore
import NIOHTTPTypes
import Synchronization

/// How long a connection may take over each part of a request, and how many may be open at once.
///
/// Without these, a client that opens a connection and sends a header a byte a minute (slowloris), or a body that
/// never ends, holds a socket and its buffers forever; a few hundred of them starve everyone else.
public struct ConnectionLimits: Sendable, Equatable {
    /// From the connection opening to the end of the first request's headers.
    public var headerTimeout: Duration = .seconds(10)
    /// From the end of a request's headers to the end of its body.
    public var bodyTimeout: Duration = .seconds(30)
    /// From the end of a response to the end of the next request's headers (keep-alive).
    public var idleTimeout: Duration = .seconds(60)
    /// Connections open at once; past it, new ones wait in the listen backlog until one closes.
    public var maxConnections = 512
    /// Memory all large webhook bodies together may hold beyond their first 64 KiB (``BodyBudget``).
    public var bodyBudgetBytes = 32 << 20

    public init() {}
}

/// Closes a connection that misses a deadline of ``ConnectionLimits``, counting it in
/// `runa_ledger_http_connections_timed_out_total{phase}` (never logging: anyone can cause it at will).
///
/// It sits after HTTP decoding, so a deadline is met only by a *complete* request head or body: bytes trickling in
/// do not extend it. No deadline runs while the service itself is answering (a webhook waits for its commit).
final class ConnectionDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// What the connection is waiting for when its deadline passes.
    enum Phase: String { case header, body, idle }

    private let limits: ConnectionLimits
    private var deadline: Scheduled<Void>?
    /// The phase the armed deadline is for; `nil` while the service is answering.
    private var phase: Phase?

    init(limits: ConnectionLimits) {
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(.header, after: limits.headerTimeout, context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(.body, after: limits.bodyTimeout, context: context)
        case .body: break
        // A response already sent (a 413 before the body ended) leaves the idle deadline running.
        case .end: if phase == .body { disarm() }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(.idle, after: limits.idleTimeout, context: context) }
        context.write(data, promise: promise)
    }

    private func arm(_ phase: Phase, after duration: Duration, context: ChannelHandlerContext) {
        disarm()
        self.phase = phase
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: TimeAmount(duration)) {
            Counter(label: "runa_ledger_http_connections_timed_out_total", dimensions: [("phase", phase.rawValue)])
                .increment()
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
        phase = nil
    }
}

/// Memory for large request bodies, shared by every connection: bodies up to ``alwaysAdmitted`` bytes are always
/// read; the bytes a larger (or unannounced) body may take beyond that are drawn from one budget, and a body that
/// does not fit is refused at once (503, so Svix retries) instead of being buffered.
///
/// Runa's `order.completion` bodies are a few kilobytes, so they are never refused; what the budget bounds is a
/// crowd of clients each holding a body near the limit (512 connections × 1 MiB would otherwise be 512 MiB).
final class BodyBudget: Sendable {
    /// Bodies up to this size never touch the budget.
    static let alwaysAdmitted = 64 * 1024

    private let remaining: Atomic<Int>

    init(bytes: Int) {
        remaining = Atomic(bytes)
    }

    /// Reserves room for a body of `length` bytes (`nil`: unannounced, so up to `limit`); returns what to release
    /// once the request is done, or `nil` when it does not fit.
    func reserve(length: Int?, limit: Int) -> Int? {
        let need = max(0, min(length ?? limit, limit) - Self.alwaysAdmitted)
        guard need > 0 else { return 0 }
        var current = remaining.load(ordering: .relaxed)
        while current >= need {
            let (exchanged, original) = remaining.compareExchange(
                expected: current, desired: current - need, ordering: .acquiringAndReleasing)
            if exchanged { return need }
            current = original
        }
        return nil
    }

    func release(_ bytes: Int) {
        if bytes > 0 { remaining.add(bytes, ordering: .releasing) }
    }
}
