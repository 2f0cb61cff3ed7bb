import ArgumentParser
import Foundation
import HTTPCommon
import Ledger
import LedgerServer
import QueryAPI

/// `runa-ledger export`: the query API's CSV (orders, payouts or events) to a file or standard output.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write orders, payouts or audit events as CSV (the same CSV as the query API), with its filters.",
        discussion: "Filters are the query API's, as name=value: status=COMPLETED currency=USD created_from=2026-10-01 …")

    @Argument(help: "orders, payouts or events") var kind: QueryAPI.ExportKind
    @Argument(help: "Filters as name=value.") var filters: [String] = []
    @Option(name: .customLong("out"), help: "Write to this file instead of standard output (never over an existing one).")
    var out: String?
    @Flag(help: "Replace the --out file if it exists.") var force = false
    @OptionGroup var options: SettingsOptions

    func run() async throws {
        let settings = try options.load(requireWebhookSecrets: false)
        var pairs: [(String, String)] = []
        for filter in filters {
            guard let equals = filter.firstIndex(of: "=") else {
                throw ValidationError("filter \"\(filter)\": expected name=value")
            }
            pairs.append((String(filter[..<equals]), String(filter[filter.index(after: equals)...])))
        }
        guard FileManager.default.fileExists(atPath: settings.databasePath) else {
            FileHandle.standardError.write(Data("no ledger at \(settings.databasePath)\n".utf8))
            throw ExitCode(1)
        }
        let database = try LedgerDatabase(path: settings.databasePath)
        defer { try? database.close() }
        let api = try QueryAPI(database: database, tokens: [])
        let handle: FileHandle
        if let out {
            if FileManager.default.fileExists(atPath: out), !force {
                FileHandle.standardError.write(Data("export: \(out) exists; give --force to replace it\n".utf8))
                throw ExitCode(2)
            }
            guard FileManager.default.createFile(atPath: out, contents: nil),
                  let file = FileHandle(forWritingAtPath: out) else {
                throw ValidationError("cannot write \(out)")
            }
            handle = file
        } else {
            handle = FileHandle.standardOutput
        }
        do {
            let rows = try await api.export(kind, filters: pairs) { chunk in handle.write(Data(chunk.utf8)) }
            if out != nil {
                try handle.close()
                FileHandle.standardError.write(Data("\(rows) \(kind.rawValue) written to \(out ?? "")\n".utf8))
            }
        } catch let error as APIError {
            FileHandle.standardError.write(Data("export: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }
}

extension QueryAPI.ExportKind: ExpressibleByArgument {}
