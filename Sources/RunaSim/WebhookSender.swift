import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import RunaModels
import Synchronization
import Webhooks

/// Delivers `order.completion` messages as Svix does: signed, retried on non-2xx on Svix's schedule (compressed
/// by the time scale), and — when faults are on — dropped, duplicated, delayed, reordered or badly signed.
final class WebhookSender: Sendable {
    /// One message and the faults planned for it.
    struct Message: Sendable {
        var id: String
        var body: Data
        var duplicate: Bool
        /// Extra real seconds before the first attempt (delay and reorder faults).
        var extraDelay: Double
    }

    private struct Attempt: Sendable {
        var message: Message
        var number: Int
        var due: ContinuousClock.Instant
        var isCopy: Bool
    }

    private struct State: Sendable {
        var queue: [Attempt] = []
        var inFlight = 0
        var random: SeededRandom
    }

    private let url: String
    private let secret: WebhookSecret
    private let configuration: SimConfiguration
    private let statistics: Mutex<SimStatistics>
    private let state: Mutex<State>
    private let logger: Logger

    init(url: String, secret: WebhookSecret, configuration: SimConfiguration, logger: Logger) {
        self.url = url
        self.secret = secret
        self.configuration = configuration
        self.statistics = Mutex(SimStatistics())
        self.state = Mutex(State(random: SeededRandom(seed: configuration.seed ^ 0x5EED_0F_5E4D)))
        self.logger = logger
    }

    var counters: SimStatistics { statistics.withLock { $0 } }

    /// Queues `message` for its first attempt `after` real seconds.
    func enqueue(_ message: Message, after seconds: Double) {
        let due = ContinuousClock.now + .milliseconds(Int64(max(0, seconds + message.extraDelay) * 1000))
        state.withLock { $0.queue.append(Attempt(message: message, number: 0, due: due, isCopy: false)) }
        statistics.withLock { $0.webhooksScheduled += 1 }
    }

    /// Records a message the fault plan drops.
    func recordDropped() {
        statistics.withLock {
            $0.webhooksScheduled += 1
            $0.webhooksDropped += 1
        }
    }

    /// Whether nothing is queued or in flight.
    var isIdle: Bool { state.withLock { $0.queue.isEmpty && $0.inFlight == 0 } }

    /// The real time at which the last queued attempt is due, if any.
    var lastDue: ContinuousClock.Instant? { state.withLock { $0.queue.map(\.due).max() } }

    /// Runs until cancelled: sends every attempt when it is due.
    func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let now = ContinuousClock.now
                let due = state.withLock { state -> [Attempt] in
                    let ready = state.queue.filter { $0.due <= now }
                    state.queue.removeAll { $0.due <= now }
                    state.inFlight += ready.count
                    return ready
                }
                for attempt in due {
                    group.addTask { await self.send(attempt) }
                }
                // Poll: a simulator can afford 5 ms of timer slack, and it keeps the loop trivially correct.
                let next = state.withLock { $0.queue.map(\.due).min() }
                let pause = next.map { min(max($0 - now, .milliseconds(1)), .milliseconds(5)) } ?? .milliseconds(5)
                try? await Task.sleep(for: pause)
            }
            group.cancelAll()
        }
    }

    private func send(_ attempt: Attempt) async {
        let corrupt = state.withLock { $0.random.chance(configuration.corruptRate) }
        let timestamp = Int64(Date().timeIntervalSince1970)
        var signature = SignatureVerifier.sign(id: attempt.message.id, timestamp: timestamp, body: attempt.message.body,
                                               secret: secret)
        if corrupt {
            // Same shape, wrong bytes: what a receiver sees when the secret does not match.
            signature = "v1," + String(signature.dropFirst(3).reversed())
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "svix-id", value: attempt.message.id)
        request.headers.add(name: "svix-timestamp", value: String(timestamp))
        request.headers.add(name: "svix-signature", value: signature)
        request.body = .bytes(ByteBuffer(bytes: attempt.message.body))
        var success = false
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(15))
            _ = try? await response.body.collect(upTo: 1 << 16)
            success = (200..<300).contains(response.status.code)
        } catch {
            logger.debug("webhook attempt failed", metadata: ["msg_id": "\(attempt.message.id)", "error": "\(error)"])
        }
        statistics.withLock { stats in
            stats.attempts += 1
            if corrupt { stats.corruptedAttempts += 1 }
            if !success { stats.failedAttempts += 1 }
            if success, !attempt.isCopy { stats.webhooksDelivered += 1 }
            if attempt.isCopy { stats.duplicatesSent += 1 }
        }
        let schedule = configuration.retrySchedule
        state.withLock { state in
            state.inFlight -= 1
            if success {
                if attempt.message.duplicate, !attempt.isCopy {
                    let gap = state.random.uniform(0.01...0.5)
                    state.queue.append(Attempt(message: attempt.message, number: 0,
                                               due: .now + .milliseconds(Int64(gap * 1000)), isCopy: true))
                }
            } else if !attempt.isCopy, attempt.number + 1 < schedule.count {
                let wait = schedule[attempt.number + 1] / max(configuration.timeScale, 1e-9)
                state.queue.append(Attempt(message: attempt.message, number: attempt.number + 1,
                                           due: .now + .milliseconds(Int64(wait * 1000)), isCopy: false))
            } else if !attempt.isCopy {
                statistics.withLock { $0.webhooksGivenUp += 1 }
            }
        }
    }
}
