/// Text made safe to place in HTML: TimelineJS renders a slide's headline, text, caption and
/// credit as markup, so a title such as `<script>` or `Smith & Jones` must arrive as text.
func htmlEscaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text.unicodeScalars {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(character)
        }
    }
    return out
}

/// True for an absolute http or https URL: the only addresses a timeline links or embeds (a
/// `javascript:` address in a source record must not become a link a reader can click).
func isWebAddress(_ url: String) -> Bool {
    let lowered = url.lowercased()
    return (lowered.hasPrefix("https://") || lowered.hasPrefix("http://")) && !url.unicodeScalars.contains { $0.value <= 0x20 || $0 == "\"" || $0 == "<" || $0 == ">" }
}
