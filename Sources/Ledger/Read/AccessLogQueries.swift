import GRDB
import RunaModels

extension LedgerDatabase {
    /// The access log, newest first: of one token, and from a time on, when given.
    public func accessLog(tokenId: String? = nil, since: Timestamp? = nil) -> RecordList<AccessLogRecord> {
        var list = RecordList(self, select: "*", from: "access_log", sortExpressions: ["id"], sortColumns: ["id"],
                              record: AccessLogRecord.init)
        if let tokenId { list.filter("token_id = ?", [tokenId]) }
        if let since { list.filter("at >= ?", [since.canonical]) }
        return list
    }
}
