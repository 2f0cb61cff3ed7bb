import Foundation

/// Outside programs some tests use (Python packages, CLI tools), and whether their absence skips or fails a test.
///
/// A test that needs one is `.enabled(if: ExternalTools.required || …)`: on a machine without it, Swift Testing
/// prints one "skipped" line naming what is missing; with `RUNA_LEDGER_DEPLOY_TESTS=required` (set by `.ci/run`,
/// which installs them all) it runs and fails instead.
public enum ExternalTools {
    public static let required = ProcessInfo.processInfo.environment["RUNA_LEDGER_DEPLOY_TESTS"] == "required"

    /// Whether `python3` can import `module`.
    public static func pythonHas(_ module: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import \(module)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Runs `python3 script` with `input` on standard input; returns its exit status and its output (stdout and
    /// stderr together). The wait happens on a thread of its own, never on the cooperative pool.
    public static func runPython(_ script: URL, input: Data, arguments: [String] = []) async throws -> (Int32, String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                    process.arguments = ["python3", script.path] + arguments
                    let stdin = Pipe(), output = Pipe()
                    process.standardInput = stdin
                    process.standardOutput = output
                    process.standardError = output
                    try process.run()
                    // Write on another thread: a large input must not deadlock against a full output pipe.
                    Thread.detachNewThread {
                        stdin.fileHandleForWriting.write(input)
                        try? stdin.fileHandleForWriting.close()
                    }
                    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    process.waitUntilExit()
                    continuation.resume(returning: (process.terminationStatus, text))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
