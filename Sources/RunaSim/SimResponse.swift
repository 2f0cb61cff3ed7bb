import Foundation
import RunaModels

/// An answer of the simulated API: status, headers and a JSON body.
public struct SimResponse: Sendable {
    public var status: Int
    public var body: Data
    public var headers: [(String, String)]

    init(status: Int, json: Data, headers: [(String, String)] = []) {
        self.status = status
        self.body = json
        self.headers = headers
    }

    static func encode(_ status: Int, _ value: some Encodable, headers: [(String, String)] = []) -> SimResponse {
        SimResponse(status: status, json: RunaJSON.encode(value), headers: headers)
    }

    /// An error of Runa's table (`errors.mdx`): its `type` and its HTTP status, with Runa's example help text.
    static func runaError(_ type: RunaErrorType, message: String, help: String? = nil) -> SimResponse {
        encode(type.status, RunaErrorBody(type: type.rawValue, message: message, help: help ?? type.help))
    }

    static func validation(_ details: [RunaErrorBody.ValidationErrorItem]) -> SimResponse {
        encode(422, RunaErrorBody(type: "validation_error",
                                  message: "There were one or more problems processing your request, see details key.",
                                  details: details))
    }
}
