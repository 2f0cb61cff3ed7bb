/// RFC 4180 CSV, safe to open in a spreadsheet.
///
/// Fields with a comma, quote, CR or LF are quoted (quotes doubled); a field starting with `=`, `+`, `-`, `@`, tab or
/// CR is prefixed with `'` so a spreadsheet never evaluates it as a formula — except plain numbers such as
/// `-5.00`, which stay numbers. Lines end with CRLF.
public enum CSVWriter {
    /// One CSV line (with its CRLF).
    public static func line(_ fields: [String?]) -> String {
        fields.map { field(($0) ?? "") }.joined(separator: ",") + "\r\n"
    }

    static func field(_ raw: String) -> String {
        var value = raw
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !isPlainNumber(value) {
            value = "'" + value
        }
        if value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    private static func isPlainNumber(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        guard !body.isEmpty else { return false }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}
