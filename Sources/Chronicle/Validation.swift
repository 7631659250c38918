import FoundationEssentials

/// Collects every problem with a draft at once, so that a client can fix them all in one go.
public struct Validator {
    public private(set) var errors: [FieldError] = []
    public init() {}

    public mutating func fail(_ field: String, _ message: String) { errors.append(FieldError(field, message)) }

    /// Required text: not blank, at most `max` characters.
    public mutating func text(_ value: String, _ field: String, max: Int) {
        if value.allSatisfy(\.isWhitespace) { fail(field, "must not be empty") }
        optionalText(value, field, max: max)
    }

    public mutating func optionalText(_ value: String?, _ field: String, max: Int) {
        guard let value else { return }
        if value.count > max { fail(field, "is \(value.count) characters long; the limit is \(max)") }
        if value.unicodeScalars.contains(where: { $0.value == 0 }) { fail(field, "must not contain NUL characters") }
    }

    /// A reference to another record (an id, or a key such as a slug or URL where accepted).
    public mutating func reference(_ value: String?, _ field: String) {
        guard let value else { return }
        if value.utf8.count > Limits.url { fail(field, "is \(value.utf8.count) bytes long; no record has an id or key that long") }
        if value.utf8.contains(0) { fail(field, "must not contain NUL characters") }
    }

    public mutating func count<T>(_ items: [T], _ field: String, max: Int) {
        if items.count > max { fail(field, "has \(items.count) entries; the limit is \(max)") }
    }

    public mutating func country(_ value: String?, _ field: String) {
        guard let value else { return }
        if !(value.utf8.count == 2 && value.utf8.allSatisfy { $0 >= 65 && $0 <= 90 }) {
            fail(field, "'\(value)' is not an ISO 3166-1 alpha-2 code; use two capital letters such as BY or UA")
        }
    }

    public mutating func language(_ value: String?, _ field: String) {
        guard let value else { return }
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        let primaryOK = parts.first.map { (2...3).contains($0.count) && $0.utf8.allSatisfy { $0 >= 97 && $0 <= 122 } } ?? false
        let restOK = parts.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.utf8.allSatisfy(isAlphanumeric) }
        if !primaryOK || !restOK || value.count > 35 { fail(field, "'\(value)' is not a BCP 47 language tag; use e.g. en, ru, be or en-GB") }
    }

    public mutating func slug(_ value: String, _ field: String) {
        let ok = !value.isEmpty && value.count <= 100 && value.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
            && !value.hasPrefix("-") && !value.hasSuffix("-") && !value.contains("--")
        if !ok { fail(field, "'\(value)' is not a slug; use lowercase letters, digits and single hyphens, e.g. alexander-lukashenko") }
    }

    /// Square brackets in a URL's authority only around an IPv6 address (`http://[::1]:8080/`),
    /// as RFC 3986 has it; other tools refuse anything else (Python's urlsplit, for one).
    static func bracketsAreAnIPLiteral(_ url: String) -> Bool {
        guard let scheme = url.firstRange(of: "://") else { return true }
        let rest = url[scheme.upperBound...]
        var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        guard authority.contains(where: { $0 == "[" || $0 == "]" }) else { return true }
        guard authority.first == "[", let close = authority.firstIndex(of: "]") else { return false }
        let address = authority[authority.index(after: authority.startIndex)..<close]
        let port = authority[authority.index(after: close)...]
        return address.contains(":") && address.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
            && (port.isEmpty || (port.first == ":" && port.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }))
    }

    public mutating func wikidata(_ value: String?, _ field: String) {
        guard let value else { return }
        let digits = value.dropFirst()
        if !(value.hasPrefix("Q") && !digits.isEmpty && digits.count <= 12 && !digits.hasPrefix("0") && digits.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }) {
            fail(field, "'\(value)' is not a Wikidata item id; use Q followed by digits, e.g. Q7747")
        }
    }

    public mutating func url(_ value: String, _ field: String) {
        let lower = value.lowercased()
        let host = URL(string: value)?.host ?? ""
        if !(lower.hasPrefix("http://") || lower.hasPrefix("https://")) || host.isEmpty || value.contains(where: \.isWhitespace)
            || !Self.bracketsAreAnIPLiteral(value) {
            fail(field, "'\(value)' is not an http(s) URL with a host")
        }
        optionalText(value, field, max: Limits.url)
    }

    public func finish() throws(ChronicleError) {
        if !errors.isEmpty { throw .validation(errors) }
    }

    private func isAlphanumeric(_ byte: UInt8) -> Bool { (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) }
}

/// Size limits on every stored field, so that no request can grow the database without bound.
public enum Limits {
    public static let name = 300
    public static let title = 500
    public static let shortText = 1_000
    public static let longText = 20_000
    public static let url = 2_000
    public static let aliases = 50
    public static let participants = 200
    public static let citations = 50
}

extension ActorDraft {
    public func validate() throws(ChronicleError) {
        var v = Validator()
        if let slug { v.slug(slug, "slug") }
        v.text(name, "name", max: Limits.name)
        v.count(aliases, "aliases", max: Limits.aliases)
        for (index, alias) in aliases.enumerated() {
            v.text(alias.name, "aliases[\(index)].name", max: Limits.name)
            v.language(alias.language, "aliases[\(index)].language")
        }
        v.optionalText(description, "description", max: Limits.shortText)
        v.country(country, "country")
        v.wikidata(wikidataID, "wikidataId")
        try v.finish()
    }
}

extension EventDraft {
    public func validate() throws(ChronicleError) {
        var v = Validator()
        v.text(title, "title", max: Limits.title)
        v.optionalText(summary, "summary", max: Limits.longText)
        if let end, end.latest < start.earliest { v.fail("end", "\(end) is before the start \(start)") }
        v.optionalText(locationName, "locationName", max: Limits.name)
        v.country(locationCountry, "locationCountry")
        v.count(participants, "participants", max: Limits.participants)
        for (index, participant) in participants.enumerated() { v.reference(participant.actorID, "participants[\(index)].actorId") }
        var seen = Set<String>()
        for (index, participant) in participants.enumerated() where !seen.insert("\(participant.actorID) \(participant.role)").inserted {
            v.fail("participants[\(index)]", "actor \(participant.actorID) is already listed with role \(participant.role.rawValue)")
        }
        validateCitations(citations, into: &v)
        try v.finish()
    }
}

extension QuoteDraft {
    public func validate() throws(ChronicleError) {
        var v = Validator()
        v.text(text, "text", max: Limits.longText)
        v.language(language, "language")
        v.optionalText(context, "context", max: Limits.shortText)
        v.reference(speakerID, "speakerId")
        v.reference(eventID, "eventId")
        validateCitations(citations, into: &v)
        try v.finish()
    }
}

extension SourceDraft {
    public func validate() throws(ChronicleError) {
        var v = Validator()
        if let url { v.url(url, "url") }
        v.text(title, "title", max: Limits.title)
        v.optionalText(publisher, "publisher", max: Limits.name)
        v.optionalText(author, "author", max: Limits.name)
        try v.finish()
    }
}

private func validateCitations(_ citations: [Citation], into v: inout Validator) {
    v.count(citations, "citations", max: Limits.citations)
    for (index, citation) in citations.enumerated() {
        v.reference(citation.sourceID, "citations[\(index)].sourceId")
        v.optionalText(citation.excerpt, "citations[\(index)].excerpt", max: Limits.longText)
    }
}

/// A URL-safe slug from a name: `Alexander Lukashenko` → `alexander-lukashenko`.
public func makeSlug(_ name: String) -> String {
    let folded = name.applyingLatinFold()
    var slug = ""
    var pendingHyphen = false
    for scalar in folded.unicodeScalars {
        if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
            if pendingHyphen && !slug.isEmpty { slug.append("-") }
            slug.unicodeScalars.append(scalar)
            pendingHyphen = false
        } else {
            pendingHyphen = true
        }
    }
    return slug.isEmpty ? "actor" : String(slug.prefix(80))
}

extension String {
    /// Lowercases and strips the common Latin diacritics; other scripts become separators.
    func applyingLatinFold() -> String {
        let map: [Character: String] = ["á": "a", "à": "a", "ä": "a", "â": "a", "ã": "a", "å": "a", "ą": "a", "ć": "c", "č": "c", "ç": "c",
                                        "é": "e", "è": "e", "ë": "e", "ê": "e", "ę": "e", "ě": "e", "í": "i", "ì": "i", "ï": "i", "î": "i",
                                        "ł": "l", "ń": "n", "ñ": "n", "ň": "n", "ó": "o", "ò": "o", "ö": "o", "ô": "o", "õ": "o", "ø": "o",
                                        "ř": "r", "ś": "s", "š": "s", "ş": "s", "ť": "t", "ú": "u", "ù": "u", "ü": "u", "û": "u", "ů": "u",
                                        "ý": "y", "ź": "z", "ż": "z", "ž": "z", "ß": "ss", "ŭ": "u"]
        var result = ""
        for character in lowercased() { result += map[character] ?? String(character) }
        return result
    }
}
