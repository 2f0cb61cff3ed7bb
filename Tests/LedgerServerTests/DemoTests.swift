import Foundation
import Testing
import TestSupport

@Suite("runa-ledger demo")
struct DemoTests {
    @Test("the one-command demo places orders through faults, and the reconciler brings the ledger to Runa's truth")
    func demo() throws {
        let folder = try TemporaryFolder()
        let process = Process()
        process.executableURL = ServiceProcess.executable
        process.arguments = ["demo", "--orders", "80", "--seed", "3", "--exit", "--require-match", "--folder", folder.path("demo")]
        process.currentDirectoryURL = Repository.root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        // Every order reached Runa: placed, or answered an error Runa replays for its key (its webhook is due too).
        #expect(text.contains("webhooks: 80 due"), "\(text)")
        #expect(text.contains("0 could not be placed"))
        #expect(text.contains("webhooks: 80 due"))
        #expect(text.contains("0 differ"))
        #expect(text.contains("after webhooks alone:"))
        #expect(text.contains("verdict: the ledger matches the simulator's truth exactly"))
        #expect(text.contains("Authorization: Bearer demo-token-") && text.contains("/v1/summary"))
        #expect(FileManager.default.fileExists(atPath: folder.path("demo/ledger.sqlite")))
    }
}
