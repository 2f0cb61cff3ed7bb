/// RFC 4180 CSV, safe to open in a spreadsheet.
///
/// Fields with a comma, quote, CR or LF are quoted (quotes doubled); a field starting with `=`, `+`, `-`, `@`, tab or
/// CR is prefixed with `'` so a spreadsheet never evaluates it as a formula — except plain numbers such as
/// `-5.00`, which stay numbers. Lines end with CRLF.
public enum CSVWriter {
    /// One CSV line (with its CRLF).
    public static func line(_ fields: [String?]) -> String {
        var text = ""
        append(fields, to: &text)
        return text
    }

    /// Appends one CSV line (with its CRLF) to `text`.
    public static func append(_ fields: [String?], to text: inout String) {
        for (index, field) in fields.enumerated() {
            if index > 0 { text.append(",") }
            if let field { text.append(self.field(field)) }
        }
        text.append("\r\n")
    }

    static func field(_ raw: String) -> String {
        var value = raw
        if let first = value.utf8.first, Self.formulaStarts.contains(first), !isPlainNumber(value) {
            value = "'" + value
        }
        if value.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    /// `=`, `+`, `-`, `@`, tab, CR.
    private static let formulaStarts: Set<UInt8> = [61, 43, 45, 64, 9, 13]

    private static func isPlainNumber(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        guard !body.isEmpty else { return false }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}
