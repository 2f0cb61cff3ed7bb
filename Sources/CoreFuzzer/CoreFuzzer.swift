import Foundation
import RunaModels
import Webhooks

/// The pure core under a coverage-guided fuzzer: each input goes through the money, timestamp and secret parsers,
/// the signature headers and verifier, and the payload decoders. Nothing may crash, hang or leak.
///
/// Built with `-sanitize=fuzzer,address -DFUZZING` by `scripts/fuzz_core.sh`, it runs libFuzzer's driver over
/// `LLVMFuzzerTestOneInput`; a normal build replays the files or folders it is given (the seeds and regressions).
@main
struct CoreFuzzer {
    static func main() {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
        #else
        var inputs = 0
        for path in CommandLine.arguments.dropFirst() {
            let url = URL(fileURLWithPath: path)
            let files = (try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? [url]
            for file in files {
                guard let data = try? Data(contentsOf: file) else { continue }
                exercise(data)
                inputs += 1
            }
        }
        print("replayed \(inputs) inputs")
        #endif
    }

    static let verifier = SignatureVerifier(secrets: [WebhookSecret(key: Array(repeating: 7, count: 32))])

    /// One input through every parser of the core.
    static func exercise(_ data: Data) {
        if let text = String(data: data, encoding: .utf8) {
            _ = try? Money(parsing: text)
            _ = Timestamp(rfc3339: text)
            _ = try? WebhookSecret(text)
        }
        // Lines: message id, timestamp, signature list; the rest is the body.
        let lines = data.split(separator: 0x0A, maxSplits: 3, omittingEmptySubsequences: false)
        let field = { (index: Int) -> String? in
            index < lines.count ? String(decoding: lines[index], as: UTF8.self) : nil
        }
        let headers = WebhookHeaders(id: field(0), timestamp: field(1), signature: field(2))
        _ = verifier.verify(headers: headers, body: lines.count > 3 ? Data(lines[3]) : Data(), now: 1_800_000_000)
        _ = DeliveryClassifier.classify(data)
        _ = try? OrderListPage.decode(from: data)
    }

}

#if FUZZING
/// What libFuzzer calls for each input (its own `main` drives the run).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    CoreFuzzer.exercise(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

/// libFuzzer's driver, for a program with its own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif
