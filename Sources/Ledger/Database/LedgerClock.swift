import Foundation
import RunaModels

/// The wall clock, as ledger timestamps.
public enum LedgerClock {
    /// Now, to the microsecond.
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microsecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1_000)
    }

    /// Now, in the ledger's fixed-width text form.
    public static func nowText() -> String { now().canonical }
}
