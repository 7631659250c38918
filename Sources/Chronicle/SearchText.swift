/// A reader's full-text query, made safe for the query syntax both engines read (FTS5's words,
/// "exact phrases", OR, AND, NOT, parentheses and prefix*).
///
/// Newsroom text is full of words that syntax reads as operators: `anti-war`, `Kassym-Jomart`,
/// `U.S.`, `20-30%`, `Ukraine:` (a column filter to FTS5). Such a word is searched for as the
/// phrase it spells (`"anti-war"`), as a reader means it, instead of being refused; a word of
/// punctuation alone (a lone `-`, `&`, `—`) says nothing a search can find, and is left out.
/// What the syntax means on purpose passes unchanged, so a query that was valid means what it
/// meant: quoted phrases (with a prefix star), parentheses, operators, prefix words, and what
/// SQLite's FTS5 alone reads (`NEAR(a b, 5)`, a column filter on `title` or `body`, `^word`, `+`).
public enum SearchText {
    /// The fields a column filter (`title:word`) may name.
    static let columns: Set<String> = ["title", "body"]

    public static func normalized(_ query: String) -> String {
        var parts: [Substring] = []
        var changed = false
        var rest = query[...]
        while let first = rest.first {
            if first.isWhitespace {
                rest = rest.drop(while: \.isWhitespace)
            } else if first == "\"" {
                // A phrase as written, to its closing quote ("" inside is a quote), with a star
                // after it; an unclosed one is left for the engine to refuse.
                guard var end = closingQuote(in: rest) else { return query }
                end = rest.index(after: end)
                if end < rest.endIndex, rest[end] == "*" { end = rest.index(after: end) }
                parts.append(rest[..<end])
                rest = rest[end...]
            } else if first == "(" || first == ")" {
                parts.append(rest.prefix(1))
                rest = rest.dropFirst()
            } else if rest.hasPrefix("NEAR("), let close = rest.firstIndex(of: ")") {
                // A NEAR group is FTS5's own syntax, commas and all.
                let end = rest.index(after: close)
                parts.append(rest[..<end])
                rest = rest[end...]
            } else {
                let word = rest.prefix { !$0.isWhitespace && $0 != "\"" && $0 != "(" && $0 != ")" }
                rest = rest[word.endIndex...]
                if meansSyntax(word) {
                    parts.append(word)
                } else if word.contains(where: { $0.isLetter || $0.isNumber }) {
                    changed = true
                    let prefix = word.last == "*"
                    let text = prefix ? word.dropLast() : word
                    parts.append(Substring("\"" + text + "\"" + (prefix ? "*" : "")))
                } else {
                    changed = true
                }
            }
        }
        // A query with nothing to change stays as written; one with nothing left that could
        // match (only punctuation) too, for the engine to say why.
        return !changed || parts.isEmpty ? query : parts.joined(separator: " ")
    }

    /// Whether a word outside quotes is the syntax's own: a word or operator, a prefix word, a
    /// star or `+` alone, `^word`, or a column filter (`title:`, `title:word`).
    private static func meansSyntax(_ word: Substring) -> Bool {
        if word == "*" || word == "+" { return true }
        var word = word
        if word.first == "^" { word = word.dropFirst() }
        if let colon = word.firstIndex(of: ":"), columns.contains(String(word[..<colon])) {
            word = word[word.index(after: colon)...]
            if word.isEmpty { return true }
        }
        if word.count > 1, word.last == "*" { word = word.dropLast() }
        return isBareword(word) && word.contains { $0.isLetter || $0.isNumber }
    }

    /// The index of the quote that closes the phrase `text` opens (`""` inside is a quote).
    private static func closingQuote(in text: Substring) -> Substring.Index? {
        var index = text.index(after: text.startIndex)
        while index < text.endIndex {
            if text[index] == "\"" {
                let next = text.index(after: index)
                guard next < text.endIndex, text[next] == "\"" else { return index }
                index = text.index(after: next)
            } else {
                index = text.index(after: index)
            }
        }
        return nil
    }

    /// FTS5's bareword: ASCII letters, digits and `_`, and anything beyond ASCII.
    private static func isBareword(_ word: Substring) -> Bool {
        !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            scalar.value >= 0x80 || scalar == "_" || ("0"..."9").contains(scalar)
                || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
        }
    }
}
