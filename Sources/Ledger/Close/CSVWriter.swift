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
            if let field { append(field: field, to: &text) }
        }
        text.append("\r\n")
    }

    static func field(_ raw: String) -> String {
        var text = ""
        append(field: raw, to: &text)
        return text
    }

    /// Appends one field; most fields need neither a quote nor a formula guard and are copied as they are, after one
    /// pass over their bytes.
    private static func append(field raw: String, to text: inout String) {
        var needsQuotes = false
        for byte in raw.utf8 where byte == 44 || byte == 34 || byte == 10 || byte == 13 {
            needsQuotes = true
            break
        }
        let guarded = raw.utf8.first.map(isFormulaStart) == true && !isPlainNumber(raw)
        if !needsQuotes && !guarded {
            text.append(raw)
            return
        }
        if needsQuotes { text.append("\"") }
        if guarded { text.append("'") }
        if needsQuotes {
            for character in raw.unicodeScalars {
                if character == "\"" { text.append("\"") }
                text.unicodeScalars.append(character)
            }
            text.append("\"")
        } else {
            text.append(raw)
        }
    }

    private static func isFormulaStart(_ byte: UInt8) -> Bool {
        byte == 61 || byte == 43 || byte == 45 || byte == 64 || byte == 9 || byte == 13
    }

    private static func isPlainNumber(_ text: String) -> Bool {
        var body = Substring(text)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        guard !body.isEmpty else { return false }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
    }
}
