/// The error `type`s of Runa's error table (`shared/runa/errors.mdx`), each with the HTTP status Runa answers it
/// with. A body may carry a type this list lacks; ``RunaErrorBody/type`` keeps it as text.
public enum RunaErrorType: String, Sendable, CaseIterable {
    case unauthorized
    case forbidden
    case badRequest = "bad_request"
    case invalidAPIKey = "invalid_api_key"
    case notFound = "not_found"
    case timeout
    case internalServerError = "internal_server_error"
    case invalidVersion = "invalid_version"
    case versionRemoved = "version_removed"
    case validationError = "validation_error"
    case paginationError = "pagination_error"
    case idempotencyValidationError = "idempotency_validation_error"
    /// 400 in the error table; the idempotency guide calls it "HTTP 102 Processing". Either way: wait, then send
    /// the same request with the same key again.
    case idempotencyInProgress = "idempotency_in_progress"
    case insufficientFunds = "insufficient_funds"
    case productValidationError = "product_validation_error"
    case currencyMismatch = "currency_mismatch"
    case paymentMethodUnavailable = "payment_method_unavailable"
    case invalidExecutionMode = "invalid_execution_mode"
    case orderingRestricted = "ordering_restricted"
    case insecureProtocol = "insecure_protocol"

    /// The HTTP status of the error table.
    public var status: Int {
        switch self {
        case .unauthorized, .invalidAPIKey: return 401
        case .forbidden, .orderingRestricted: return 403
        case .notFound: return 404
        case .versionRemoved: return 410
        case .validationError: return 422
        case .internalServerError: return 500
        case .timeout: return 504
        case .badRequest, .invalidVersion, .paginationError, .idempotencyValidationError, .idempotencyInProgress,
             .insufficientFunds, .productValidationError, .currencyMismatch, .paymentMethodUnavailable,
             .invalidExecutionMode, .insecureProtocol:
            return 400
        }
    }

    /// The table's example help text, where it has one.
    public var help: String? {
        switch self {
        case .unauthorized, .invalidAPIKey:
            return "Generate a key on https://app.runa.io/api-keys and pass using the 'X-Api-Key' header."
        case .notFound: return "The request path is likely incorrect, please check and try again."
        case .timeout: return "We were unable to process your request in time. This is a temporary issue, please try again."
        case .internalServerError: return "Please try again."
        case .invalidVersion: return "Please use a valid API version. See https://developer.runa.io/docs/api-versioning for more information."
        case .versionRemoved: return "The requested API version has been removed. See https://developer.runa.io/docs/api-versioning for more information."
        case .validationError: return "Please check your request matches the structure outlined in our API documentation: https://developer.runa.io/reference"
        case .paginationError: return "Please check the pagination parameters are valid and try again."
        case .idempotencyValidationError:
            return "Please use a new idempotency key if this is a new request, or check your payload has not changed if you're retrying a request."
        case .idempotencyInProgress: return "Please wait until this order has finished processing before resending this request."
        case .badRequest: return "Please ensure your payload is being passed or check issues with a JSON validator."
        default: return nil
        }
    }
}
