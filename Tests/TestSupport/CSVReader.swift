import Foundation

/// A small RFC 4180 reader for the tests (quoted fields, doubled quotes, CRLF records).
public func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var quoted = false
    var iterator = Array(text).makeIterator()
    var pending: Character? = nil
    while let char = pending ?? iterator.next() {
        pending = nil
        if quoted {
            if char == "\"" {
                if let next = iterator.next() {
                    if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                } else { quoted = false }
            } else { field.append(char) }
        } else if char == "\"" {
            quoted = true
        } else if char == "," {
            record.append(field); field = ""
        } else if char == "\r\n" || char == "\n" {
            record.append(field); field = ""
            records.append(record); record = []
        } else {
            field.append(char)
        }
    }
    if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
    return records
}
