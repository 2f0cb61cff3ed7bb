import ArgumentParser

/// `runa-ledger`: an exact, auditable local ledger of a company's Runa orders.
@main
struct RunaLedger: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runa-ledger",
        abstract: "An exact, auditable local ledger of your Runa orders, fed by signed webhooks.",
        subcommands: [Serve.self, Migrate.self, Check.self, VerifyArchive.self, Backup.self, Restore.self, Close.self, Reconcile.self, Backfill.self, Export.self, Sim.self, Demo.self],
        defaultSubcommand: nil)
}
