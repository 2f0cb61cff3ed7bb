import Foundation
import Testing
import TestSupport

/// The inputs the coverage-guided fuzzer starts from (fuzz/seeds) and every input it ever crashed on
/// (fuzz/regressions, kept after the fix) go through the pure core on every test run.
@Suite("Fuzzer seeds and regressions")
struct FuzzRegressionTests {
    @Test("every seed and every input that once crashed the core goes through it without a crash")
    func replay() async throws {
        let replayer = ServiceProcess.executable.deletingLastPathComponent().appendingPathComponent("CoreFuzzer")
        let folders = ["fuzz/seeds", "fuzz/regressions"].map { Repository.root.appendingPathComponent($0).path }
        let (status, output) = try await runProgram(replayer, folders)
        #expect(status == 0, "\(output)")
        let expected = try folders.reduce(0) { $0 + (try FileManager.default.contentsOfDirectory(atPath: $1).count) }
        #expect(output.contains("replayed \(expected) inputs"), "\(output)")
    }
}
