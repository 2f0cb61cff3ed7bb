// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "runa-ledger",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "runa-ledger", targets: ["RunaLedgerCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // libcrypto from the system OpenSSL (libssl-dev): HMAC-SHA256, SHA-256, CRYPTO_memcmp.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Swift wrappers over COpenSSL: digests and constant-time comparison.
        .target(name: "Digest", dependencies: ["COpenSSL"]),
        // Pure: Runa's payloads and exact money. No I/O.
        .target(name: "RunaModels"),
        // Pure: Standard Webhooks / Svix signature verification and payload classification.
        .target(name: "Webhooks", dependencies: ["Digest", "RunaModels"]),
        // The SQLite ledger: migrations, merge rules, group commit, audit hash chain.
        .target(
            name: "Ledger",
            dependencies: [
                "Digest", "RunaModels",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API itself, for the checkpoint's busy handling (WALCheckpointer).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // What both HTTP faces share: the JSON error shape, 405s and HEAD answers.
        .target(
            name: "HTTPCommon",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The read-only JSON/CSV API over the ledger for dashboards and finance.
        .target(
            name: "QueryAPI",
            dependencies: [
                "Ledger", "RunaModels", "Digest", "HTTPCommon",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.embedInCode("Resources/openapi.json")]
        ),
        // The HTTP service: webhook endpoint, health, metrics, configuration.
        .target(
            name: "LedgerServer",
            dependencies: [
                "Webhooks", "Ledger", "RunaModels", "Reconciler", "RunaClient", "QueryAPI", "HTTPCommon",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Calls to Runa's API over AsyncHTTPClient.
        .target(
            name: "RunaClient",
            dependencies: [
                "RunaModels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The background service that converges the ledger to Runa's truth.
        .target(
            name: "Reconciler",
            dependencies: [
                "Ledger", "RunaClient", "RunaModels",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // A faithful simulator of Runa's order API and Svix webhook delivery, with fault injection.
        .target(
            name: "RunaSim",
            dependencies: [
                "RunaModels", "Webhooks", "RunaClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The pure core under libFuzzer (scripts/fuzz_core.sh); a normal build replays a corpus through it.
        .executableTarget(
            name: "CoreFuzzer",
            dependencies: ["RunaModels", "Webhooks"]
        ),
        // Times each stage of the webhook ingest path alone (bench/README.md).
        .executableTarget(
            name: "ingest-stages",
            dependencies: ["Ledger", "Webhooks", "RunaModels", "Digest", .product(name: "Logging", package: "swift-log")],
            path: "bench/IngestStages"
        ),
        // Writes a ledger with a real audit trail through the ledger's own write path, for the finance benchmarks.
        .executableTarget(
            name: "make-trail",
            dependencies: ["Ledger", "RunaModels"],
            path: "bench/MakeTrail"
        ),
        // The `runa-ledger` executable: wiring and the command line only.
        .executableTarget(
            name: "RunaLedgerCLI",
            dependencies: [
                "LedgerServer", "Ledger", "RunaSim", "RunaClient", "RunaModels", "Webhooks", "Reconciler", "QueryAPI", "HTTPCommon",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // Helpers and fixtures shared by the test targets: the service in process or as a process, the simulator,
        // temporary ledgers, programs, sample orders.
        .target(
            name: "TestSupport",
            dependencies: [
                "Ledger", "LedgerServer", "RunaSim", "RunaClient", "RunaModels", "Webhooks",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/TestSupport"
        ),
        // One test target per module; each mirrors its module's folder.
        .testTarget(name: "RunaModelsTests", dependencies: ["RunaModels", "TestSupport"]),
        .testTarget(name: "DigestTests", dependencies: ["Digest"]),
        .testTarget(name: "WebhooksTests", dependencies: ["Webhooks", "Digest", "TestSupport"], resources: [.copy("Vectors")]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "RunaModels", "Digest", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "HTTPCommonTests",
            dependencies: [
                "HTTPCommon",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RunaClientTests",
            dependencies: [
                "RunaClient", "RunaModels", "RunaSim", "TestSupport",
            ]
        ),
        .testTarget(
            name: "RunaSimTests",
            dependencies: [
                "RunaSim", "RunaModels", "Webhooks", "TestSupport", "RunaClient",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "QueryAPITests",
            dependencies: [
                "QueryAPI", "Ledger", "RunaModels", "Digest", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "ReconcilerTests",
            dependencies: [
                "Reconciler", "Ledger", "RunaClient", "RunaModels", "RunaSim", "Webhooks", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "LedgerServerTests",
            dependencies: [
                "LedgerServer", "Ledger", "Webhooks", "Digest", "RunaModels", "TestSupport", "RunaSim", "RunaClient", "Reconciler",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "RunaLedgerCLITests",
            dependencies: [
                "LedgerServer", "Ledger", "Webhooks", "Digest", "RunaModels", "RunaSim", "RunaClient", "TestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The fuzzer's seeds and past crashes, replayed through the built CoreFuzzer executable.
        .testTarget(name: "CoreFuzzerTests", dependencies: ["TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
