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

/// An absolute http or https URL as a timeline links or embeds it; nil for any other scheme (a
/// `javascript:` address in a source record must not become a link a reader can click). A
/// source's URL may hold `"`, `<` or `>` (the API's URL check allows them), which no address in
/// HTML or a TimelineJS media slot may: they, spaces and control characters are percent-encoded,
/// so the source is still linked and shown rather than dropped.
func webAddress(_ url: String) -> String? {
    let lowered = url.lowercased()
    guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else { return nil }
    let hexDigits = Array("0123456789ABCDEF")
    var encoded = ""
    encoded.reserveCapacity(url.utf8.count)
    for scalar in url.unicodeScalars {
        if scalar.value <= 0x20 || scalar.value == 0x7F || scalar == "\"" || scalar == "<" || scalar == ">" {
            encoded += "%\(hexDigits[Int(scalar.value >> 4)])\(hexDigits[Int(scalar.value & 0xF)])"
        } else {
            encoded.unicodeScalars.append(scalar)
        }
    }
    return encoded
}
