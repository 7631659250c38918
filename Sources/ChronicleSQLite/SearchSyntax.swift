/// What a full-text query's text says about its shape, before FTS5 parses it.
enum SearchSyntax {
    /// For one word or "quoted phrase", or several joined by `OR` (`grain OR harvest`): each
    /// phrase as written (a quoted one with its quotes), in order. These are the queries whose
    /// matches are the union of each phrase's own, so each phrase is walked (or kept) on its
    /// own. nil for anything else (implicit AND, NOT, NEAR, prefixes, column filters,
    /// parentheses), which goes through FTS5's own evaluation.
    static func phrases(of query: String) -> [Substring]? {
        var phrases: [Substring] = []
        var expectingPhrase = true
        var bytes = query.utf8[...]
        while true {
            bytes = bytes.drop(while: isSpace)
            guard let first = bytes.first else { return !phrases.isEmpty && !expectingPhrase ? phrases : nil }
            if first == UInt8(ascii: "\"") {
                guard expectingPhrase, let end = closingQuote(in: bytes) else { return nil }
                let after = bytes.index(after: end)
                phrases.append(Substring(bytes[..<after]))
                bytes = bytes[after...]
                expectingPhrase = false
            } else {
                let word = bytes.prefix(while: isBarewordByte)
                guard !word.isEmpty else { return nil }
                bytes = bytes[word.endIndex...]
                let text = Substring(word)
                if expectingPhrase {
                    guard !["OR", "AND", "NOT", "NEAR"].contains(text) else { return nil }
                    phrases.append(text)
                    expectingPhrase = false
                } else {
                    guard text == "OR" else { return nil }
                    expectingPhrase = true
                }
            }
            // A phrase or OR must end at white space or the end ("a*", "a:b", "a(" are not ours).
            if let next = bytes.first, !isSpace(next) { return nil }
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    /// FTS5's bareword characters: ASCII letters, digits and `_`, 0x1A, and anything not ASCII.
    private static func isBarewordByte(_ byte: UInt8) -> Bool {
        byte >= 0x80 || byte == 0x1A || byte == UInt8(ascii: "_")
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// The index of the quote that closes the string opening `bytes` (`""` inside is a quote).
    private static func closingQuote(in bytes: Substring.UTF8View) -> Substring.UTF8View.Index? {
        var index = bytes.index(after: bytes.startIndex)
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\"") {
                let next = bytes.index(after: index)
                guard next < bytes.endIndex, bytes[next] == UInt8(ascii: "\"") else { return index }
                index = bytes.index(after: next)
            } else {
                index = bytes.index(after: index)
            }
        }
        return nil
    }
}
