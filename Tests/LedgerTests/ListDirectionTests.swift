import Ledger
import RunaModels
import Testing
import TestSupport

@Suite("The list's direction, read from created_at")
struct ListDirectionTests {
    static func at(_ second: Int64) -> Timestamp? { Timestamp(microsecondsSinceEpoch: 1_800_000_000_000_000 + second * 1_000_000) }

    @Test("falling times are newest first, rising oldest first, both unsorted; too few or equal tell nothing", arguments: [
        ([at(30), at(20), nil, at(10)], ListDirection.newestFirst),
        ([at(10), nil, at(20), at(30)], .oldestFirst),
        ([at(10), at(30), at(20)], .unsorted),
        ([nil, at(10), nil], .unknown),
        ([at(10), at(10)], .unknown),
        ([], .unknown),
    ])
    func observed(times: [Timestamp?], direction: ListDirection) {
        #expect(ListDirection.observed(times) == direction)
    }

    @Test("what a later walk shows adds to what was seen; a contradiction is unsorted for good")
    func combined() {
        #expect(ListDirection.unknown.combined(with: .oldestFirst) == .oldestFirst)
        #expect(ListDirection.newestFirst.combined(with: .unknown) == .newestFirst)
        #expect(ListDirection.newestFirst.combined(with: .newestFirst) == .newestFirst)
        #expect(ListDirection.newestFirst.combined(with: .oldestFirst) == .unsorted)
        #expect(ListDirection.unsorted.combined(with: .newestFirst) == .unsorted)
    }
}
