/// A Runa payload that could not be understood, with the JSON path of the problem (`items[0].payout.status`).
///
/// It carries no payload data, so it can be logged and served: the path keeps only the field names our decoders
/// declare (a key taken from the payload itself, such as one inside `metadata`, is written `*`), and the problem
/// never quotes a value.
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
                    let name = key is any RawRepresentable ? key.stringValue : Self.redactedKey
                    out += out.isEmpty ? name : ".\(name)"
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
            // Our own decoders word debugDescription without values; a parser's underlying error may quote the
            // text it choked on, so it is never passed on.
            let problem = context.codingPath.isEmpty && context.underlyingError != nil
                ? "not valid JSON" : context.debugDescription
            self.init(path: render(context.codingPath), problem: problem)
        @unknown default:
            self.init(path: "", problem: "undecodable")
        }
    }

    /// How a key that came from the payload, not from a decoder's declared fields, is written in a path.
    public static let redactedKey = "*"

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
