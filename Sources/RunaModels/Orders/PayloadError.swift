/// A Runa payload that could not be understood, with the JSON path of the problem (`items[0].payout.status`).
public struct PayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the document the problem is; empty for the document itself.
    public let path: String
    /// What is wrong there.
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { path.isEmpty ? problem : "\(path): \(problem)" }

    /// Translates a `DecodingError` into a path and a one-line problem.
    public init(_ error: DecodingError) {
        func render(_ codingPath: [any CodingKey]) -> String {
            var out = ""
            for key in codingPath {
                if let index = key.intValue {
                    out += "[\(index)]"
                } else {
                    out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return out
        }
        switch error {
        case .keyNotFound(let key, let context):
            self.init(path: render(context.codingPath + [key]), problem: "required field is missing")
        case .valueNotFound(_, let context):
            self.init(path: render(context.codingPath), problem: "required value is null")
        case .typeMismatch(let type, let context):
            self.init(path: render(context.codingPath), problem: "expected \(Self.jsonTypeName(type))")
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { " (\($0))" } ?? ""
            let problem = context.codingPath.isEmpty && context.underlyingError != nil
                ? "not valid JSON" : context.debugDescription
            self.init(path: render(context.codingPath), problem: problem + (problem == "not valid JSON" ? "" : underlying))
        @unknown default:
            self.init(path: "", problem: "undecodable")
        }
    }

    private static func jsonTypeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Double.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "a \(name)"
        }
    }
}
