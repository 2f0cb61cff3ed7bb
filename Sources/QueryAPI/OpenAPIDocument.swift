/// The OpenAPI 3.1 description of `/v1`: `Resources/openapi.json`, written by hand, embedded in the binary at
/// build time, and kept true by `OpenAPIDocumentTests` (every route and parameter) and by schemathesis in CI.
public enum OpenAPIDocument {
    /// The document's bytes, as served at `/v1/openapi.json`.
    public static let bytes: [UInt8] = PackageResources.openapi_json
    /// The document as text.
    public static let json = String(decoding: bytes, as: UTF8.self)
}
