import Hummingbird

/// Answers 405 (with `Allow`) instead of 404 when a known path is asked for with a method it does not take.
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    private let templates: [[Substring]]
    private let allowed: String

    public init(paths: [String], allowed: String) {
        templates = paths.map { $0.split(separator: "/") }
        self.allowed = allowed
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && request.method != .get && request.method != .head {
            let components = request.uri.path.split(separator: "/")
            let known = templates.contains { template in
                template.count == components.count
                    && zip(template, components).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
            }
            guard known else { throw error }
            var refusal = APIError(.methodNotAllowed, type: "method_not_allowed", message: "this path answers \(allowed) only")
            refusal.headers[.allow] = allowed
            throw refusal
        }
    }
}
