import HTTP

/// The URLs JSON-LD `@id`s name: this server's own address for each record, so that an `@id`
/// resolves to the record it stands for.
struct LinkedDataIDs: Sendable, Equatable {
    /// Scheme and authority, perhaps a path prefix, never a trailing slash: `https://chronicle.example.org`.
    let base: String

    func actor(_ id: String) -> String { "\(base)/v1/actors/\(percentEncode(id))" }
    func event(_ id: String) -> String { "\(base)/v1/events/\(percentEncode(id))" }
    func quote(_ id: String) -> String { "\(base)/v1/quotes/\(percentEncode(id))" }
    func source(_ id: String) -> String { "\(base)/v1/sources/\(percentEncode(id))" }
}

/// Where this server is reached from outside. Behind a proxy only the operator knows it
/// (`--public-base-url`); otherwise it is read from the request's `Host`, which the client
/// chooses, so only a plain host name or address with an optional port is used, never text
/// that could bend the URL (spaces, slashes, `@`, quotes).
public enum PublicBaseURL {
    /// What `@id`s start with when the request names no usable host.
    static let fallback = "http://localhost"

    /// The configured base when there is one, else `http://` and the request's host.
    static func resolve(configured: String?, host: String?) -> String {
        if let configured { return configured }
        guard let host, isPlainHost(host) else { return fallback }
        return "http://" + host.lowercased()
    }

    /// A configured base URL without its trailing slash, or nil when it is not an absolute
    /// http(s) URL without query or fragment (which would make every `@id` wrong).
    public static func normalize(_ text: String) -> String? {
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        let lowered = base.lowercased()
        guard let scheme = ["https://", "http://"].first(where: { lowered.hasPrefix($0) }) else { return nil }
        let rest = base.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard isPlainHost(String(authority)),
              path.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && !"?#\"<>\\^`{|}".unicodeScalars.contains($0) })
        else { return nil }
        return base
    }

    /// `example.org`, `127.0.0.1:8080`, `[::1]:8080`: letters, digits, dots and hyphens, or an
    /// IPv6 literal in brackets, then an optional port.
    static func isPlainHost(_ host: String) -> Bool {
        guard !host.isEmpty, host.utf8.count <= 255 else { return false }
        var name = Substring(host)
        var port: Substring?
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            let literal = name[name.index(after: name.startIndex)..<close]
            guard !literal.isEmpty, literal.allSatisfy({ $0 == ":" || $0 == "." || $0.isHexDigit }) else { return false }
            let after = name[name.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return false }
                port = after.dropFirst()
            }
            name = literal
        } else {
            if let colon = name.firstIndex(of: ":") {
                port = name[name.index(after: colon)...]
                name = name[..<colon]
            }
            guard !name.isEmpty, !name.hasPrefix("."), !name.hasPrefix("-"),
                  name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "-" })
            else { return false }
        }
        if let port {
            guard (1...5).contains(port.count), port.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(port), number <= 65_535 else { return false }
        }
        return true
    }
}

extension ChronicleAPI {
    /// The `@id`s for records in answers to this request.
    func linkedDataIDs(_ request: Request) -> LinkedDataIDs {
        LinkedDataIDs(base: PublicBaseURL.resolve(configured: configuration.publicBaseURL, host: request.headers["Host"]))
    }
}
