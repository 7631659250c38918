/// A reader's full-text query, made safe for the query syntax both engines read (FTS5's words,
/// "exact phrases", OR, AND, NOT, parentheses and prefix*).
///
/// Newsroom text is full of words that syntax reads as operators: `anti-war`, `Kassym-Jomart`,
/// `U.S.`, `20-30%`, `Ukraine:` (a column filter to FTS5). Such a word is searched for as the
/// phrase it spells (`"anti-war"`), as a reader means it, instead of being refused; a word of
/// punctuation alone (a lone `-`, `&`) says nothing a search can find, and is left out. Quoted
/// phrases, parentheses, operators and prefix words pass unchanged, so a query that was valid
/// means what it meant.
public enum SearchText {
    public static func normalized(_ query: String) -> String {
        var parts: [Substring] = []
        var changed = false
        var rest = query[...]
        while let first = rest.first {
            if first.isWhitespace {
                rest = rest.drop(while: \.isWhitespace)
            } else if first == "\"" {
                // A phrase as written, to its closing quote ("" inside is a quote); an
                // unclosed one is left for the engine to refuse.
                var end = rest.index(after: rest.startIndex)
                while end < rest.endIndex {
                    if rest[end] == "\"" {
                        let next = rest.index(after: end)
                        if next < rest.endIndex, rest[next] == "\"" { end = rest.index(after: next); continue }
                        end = next
                        break
                    }
                    end = rest.index(after: end)
                }
                if end == rest.endIndex, rest.count < 2 || rest.last != "\"" { return query }
                parts.append(rest[..<end])
                rest = rest[end...]
            } else if first == "(" || first == ")" {
                parts.append(rest.prefix(1))
                rest = rest.dropFirst()
            } else {
                let word = rest.prefix { !$0.isWhitespace && $0 != "\"" && $0 != "(" && $0 != ")" }
                rest = rest[word.endIndex...]
                if isBareword(word) || (word.count > 1 && word.last == "*" && isBareword(word.dropLast())) {
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

    /// FTS5's bareword: ASCII letters, digits and `_`, and anything beyond ASCII.
    private static func isBareword(_ word: Substring) -> Bool {
        !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            scalar.value >= 0x80 || scalar == "_" || ("0"..."9").contains(scalar)
                || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
        }
    }
}
