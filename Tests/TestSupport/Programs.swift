import Foundation

/// Runs the `runa-ledger` executable to its end; returns its exit status and everything it printed.
public func runLedger(_ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, String) {
    try await runProgram(ServiceProcess.executable, arguments, environment: environment)
}

/// Runs a program to its end; returns its exit status and everything it printed (stdout and stderr together).
///
/// The wait happens on a thread of its own: blocked on the cooperative pool (two threads on a 2-core machine), it
/// would stall every other test running at the time, and their timing-sensitive steps with it.
public func runProgram(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, String) {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try runProgramBlocking(executable, arguments, environment: environment) })
        }
    }
}

public func runProgramBlocking(_ executable: URL, _ arguments: [String], environment: [String: String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}
