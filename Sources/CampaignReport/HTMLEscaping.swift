/// Escapes text for HTML element content and for quoted attribute values (`&`, `<`, `>`, `"`,
/// `'`). Every string from a run (ids, causes, fault kinds, phase names) goes through this.
func htmlEscaped(_ text: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "&": escaped += "&amp;"
        case "<": escaped += "&lt;"
        case ">": escaped += "&gt;"
        case "\"": escaped += "&quot;"
        case "'": escaped += "&#39;"
        default: escaped.append(character)
        }
    }
    return escaped
}
