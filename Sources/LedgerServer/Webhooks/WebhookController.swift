import Digest
import Foundation
import HTTPTypes
import Hummingbird
import HTTPCommon
import Ledger
import Logging
import Metrics
import NIOCore
import RunaModels
import Webhooks

/// `POST /webhooks/runa`: verify, record durably, then answer.
///
/// 1. Read the raw body up to the limit (413 beyond). 2. Verify the Svix signature against every configured
/// secret (401, nothing written, on failure). 3. Record through the group-committing ``LedgerWriter``:
/// duplicate message ids change nothing; orders are merged with events and follow-up tasks in one transaction.
/// 4. Answer 200 only after the commit returned; 503 when it could not commit, so Svix retries.
struct WebhookController: Sendable {
    let verifier: LiveVerifier
    let writer: LedgerWriter
    let maxBodyBytes: Int
    let counters: DeliveryCounters
    let bodyBudget: BodyBudget
    let now: @Sendable () -> Timestamp

    private static let deliveries = "runa_ledger_webhook_deliveries_total"
    private let signatureFailures = "runa_ledger_webhook_signature_failures_total"
    private let latency = Metrics.Timer(label: "runa_ledger_webhook_ingest_duration_seconds")
    private let quarantined = Counter(label: "runa_ledger_quarantined_deliveries_total")

    init(verifier: LiveVerifier, writer: LedgerWriter, maxBodyBytes: Int, counters: DeliveryCounters,
         bodyBudget: BodyBudget = BodyBudget(bytes: ConnectionLimits().bodyBudgetBytes),
         now: @escaping @Sendable () -> Timestamp = LedgerClock.now) {
        self.verifier = verifier
        self.writer = writer
        self.maxBodyBytes = maxBodyBytes
        self.counters = counters
        self.bodyBudget = bodyBudget
        self.now = now
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.post("/webhooks/runa") { request, context in
            try await self.receive(request, context: context)
        }
    }

    func receive(_ request: Request, context: some RequestContext) async throws -> Response {
        let started = ContinuousClock.now
        defer { latency.recordNanoseconds((ContinuousClock.now - started).nanoseconds) }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
            count("too_large")
            throw APIError(.contentTooLarge, type: "payload_too_large",
                           message: "the body exceeds \(maxBodyBytes) bytes")
        }
        let declared = request.headers[.contentLength].flatMap(Int.init)
        guard let reserved = bodyBudget.reserve(length: declared, limit: maxBodyBytes) else {
            // Too many large bodies are being read at once: refuse this one before buffering any of it.
            count("shed")
            var busy = APIError(.serviceUnavailable, type: "unavailable",
                                message: "too many large request bodies in flight; retry later")
            busy.headers[.retryAfter] = "5"
            throw busy
        }
        defer { bodyBudget.release(reserved) }
        let buffer: ByteBuffer
        do {
            buffer = try await Self.collect(request.body, declared: declared, upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            count("too_large")
            throw APIError(.contentTooLarge, type: "payload_too_large",
                           message: "the body exceeds \(maxBodyBytes) bytes")
        } catch {
            // The sender went away or broke HTTP framing mid-body. Anyone can do this at will, so it is counted,
            // not logged: one line each would let them flood the log.
            count("aborted")
            throw APIError(.badRequest, type: "bad_request", message: "the request body could not be read")
        }
        let body = Data(buffer.readableBytesView)
        let headers = WebhookHeaders { name in
            HTTPField.Name(name).flatMap { request.headers[$0] }
        }
        let receivedAt = now()
        let verified: VerifiedDelivery
        switch verifier.verify(headers: headers, body: body, now: receivedAt.secondsSinceEpoch) {
        case .success(let delivery):
            verified = delivery
        case .failure(let reason):
            count("rejected")
            Counter(label: signatureFailures, dimensions: [("reason", reason.rawValue)]).increment()
            // Nothing the unauthenticated sender chose is logged as sent: its svix-id and the address the proxy in
            // front passes on (deploy/nginx) appear only as digests, enough to tell one sender's retries apart.
            context.logger.warning("webhook signature rejected", metadata: [
                "reason": "\(reason.rawValue)", "msg_id_digest": "\(Self.logDigest(headers.id))",
                "forwarded_for_digest": "\(Self.logDigest(request.headers[HTTPField.Name("X-Forwarded-For")!]))",
            ])
            throw APIError(.unauthorized, type: "invalid_signature", message: Self.explain(reason))
        }

        let classified = DeliveryClassifier.classify(body)
        let record = WebhookRecord(
            messageId: verified.messageId, receivedAt: receivedAt,
            signedAt: Timestamp(secondsSinceEpoch: verified.signedAt), body: body,
            bodySHA256: Digest.hex(Digest.sha256(body)), signatures: headers.signature, content: classified)

        let outcome: DeliveryOutcome
        do {
            outcome = try await writer.record(record)
        } catch {
            count("unavailable")
            context.logger.error("webhook not stored; answering 503 so Svix retries", metadata: [
                "msg_id": "\(verified.messageId)", "error": "\(error)",
            ])
            var failure = APIError(.serviceUnavailable, type: "unavailable",
                                   message: "the ledger could not commit this delivery; retry later")
            failure.headers[.retryAfter] = "5"
            throw failure
        }
        count(outcome.rawValue)
        if outcome == .quarantined {
            quarantined.increment()
            context.logger.error("verified delivery quarantined: body not understood", metadata: [
                "msg_id": "\(verified.messageId)",
                "path": "\(classified.problemPath ?? "")",
            ])
        } else {
            context.logger.debug("webhook recorded", metadata: [
                "msg_id": "\(verified.messageId)", "outcome": "\(outcome.rawValue)",
                "order_id": "\(record.orderId ?? "-")",
            ])
        }
        var response = Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"])
        response.body = .init(byteBuffer: ByteBuffer(string: #"{"outcome":"\#(outcome.rawValue)"}"#))
        return response
    }

    /// The whole body, in one buffer sized from `Content-Length` up front: collecting by doubling would hold up to
    /// twice the body per request, which the body budget does not count.
    static func collect(_ body: RequestBody, declared: Int?, upTo limit: Int) async throws -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(min(declared ?? 16 * 1024, limit))
        for try await chunk in body {
            guard buffer.readableBytes + chunk.readableBytes <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            buffer.writeImmutableBuffer(chunk)
        }
        return buffer
    }

    /// The first 16 hex digits of a value's SHA-256, or `-` when absent: a sender-chosen value, made safe to log.
    static func logDigest(_ value: String?) -> String {
        guard let value else { return "-" }
        return String(Digest.hex(Digest.sha256(Array(value.utf8))).prefix(16))
    }

    private func count(_ outcome: String) {
        Counter(label: Self.deliveries, dimensions: [("outcome", outcome)]).increment()
        if ["duplicate", "rejected", "too_large", "unavailable"].contains(outcome) { counters.increment(outcome) }
    }

    private static func explain(_ reason: SignatureError) -> String {
        switch reason {
        case .missingHeaders: return "missing svix-id, svix-timestamp or svix-signature header"
        case .malformedTimestamp: return "the signature timestamp is not a Unix time in seconds"
        case .timestampTooOld: return "the signature timestamp is more than 5 minutes old"
        case .timestampTooNew: return "the signature timestamp is more than 5 minutes in the future"
        case .bodyNotUTF8: return "the body is not UTF-8"
        case .noValidSignature: return "no signature matches"
        }
    }
}

extension DeliveryContent {
    /// Where a quarantined body went wrong: a JSON path only, so no payload value (an e-mail address, say) is logged.
    var problemPath: String? {
        if case .quarantined(let problem) = self { return problem.path.isEmpty ? "(document)" : problem.path }
        return nil
    }
}
