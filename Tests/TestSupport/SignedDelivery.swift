import Foundation

/// A webhook delivery as it travels: the three `svix-*` header values and the raw body.
public struct SignedDelivery: Sendable {
    public var id: String
    public var timestamp: String
    public var signature: String
    public var body: Data

    public init(id: String, timestamp: String, signature: String, body: Data) {
        self.id = id
        self.timestamp = timestamp
        self.signature = signature
        self.body = body
    }

    /// The three `svix-*` headers.
    public var headers: [(String, String)] {
        [("svix-id", id), ("svix-timestamp", timestamp), ("svix-signature", signature)]
    }
}

/// A temporary folder removed when the value is released.
public final class TemporaryFolder: @unchecked Sendable {
    public let url: URL

    public init(prefix: String = "runa-ledger-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The repository's root, found from this file's location.
public enum Repository {
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let migrations = root.appendingPathComponent("migrations")
}
