import FoundationEssentials
import HTTP

/// Where the explorer's files come from: compiled into the binary, or, while working on the
/// explorer, a folder read again on every request so that an edit shows on reload.
public enum ExplorerSource: Sendable {
    case embedded([String: [UInt8]])
    case folder(String)
}

/// The explorer's files as responses: typed, tagged and guarded by a Content-Security-Policy
/// that allows nothing inline and nothing from elsewhere, so that a record's text can never run
/// as script even if the front end mishandled it.
struct ExplorerAssets: Sendable {
    /// Scripts, styles, images and API calls from this origin only; no inline code, no frames.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    struct File: Sendable {
        let body: [UInt8]
        let contentType: String
        let etag: String
    }

    private let source: ExplorerSource
    /// Embedded files, typed and tagged once.
    private let prepared: [String: File]

    init(_ source: ExplorerSource) {
        self.source = source
        if case .embedded(let files) = source {
            prepared = files.reduce(into: [:]) { table, entry in table[entry.key] = Self.file(named: entry.key, entry.value) }
        } else {
            prepared = [:]
        }
    }

    /// True when files are read from a folder on each request (and so must not be read on a loop).
    var readsFromDisk: Bool {
        if case .folder = source { return true }
        return false
    }

    /// The file served as `/assets/<name>`; nil for a name that is not one of the explorer's.
    func file(_ name: String) -> File? {
        switch source {
        case .embedded: return prepared[name]
        case .folder(let folder):
            // Plain names only: nothing that could climb out of the folder.
            guard Self.isPlainName(name), let data = FileManager.default.contents(atPath: folder + "/" + name) else { return nil }
            return Self.file(named: name, [UInt8](data))
        }
    }

    static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix(".") && name.utf8.allSatisfy { byte in
            (byte >= 97 && byte <= 122) || (byte >= 48 && byte <= 57) || byte == 45 || byte == 46 || byte == 95
        }
    }

    private static func file(named name: String, _ body: [UInt8]) -> File {
        File(body: body, contentType: contentType(of: name), etag: "\"\(contentHash(body))\"")
    }

    static func contentType(of name: String) -> String {
        switch name.split(separator: ".").last.map(String.init) ?? "" {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "json": return "application/json"
        case "png": return "image/png"
        default: return "application/octet-stream"
        }
    }

    /// The file as a response: revalidated on every use (`no-cache`), so that an upgraded server's
    /// explorer is never mixed with an old one's modules, and answered 304 while unchanged.
    func response(_ request: Request, _ file: File, vary: String? = nil) -> Response {
        var headers: Headers = [
            "Content-Type": file.contentType, "ETag": file.etag, "Cache-Control": "no-cache",
            "Content-Security-Policy": Self.contentSecurityPolicy, "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        ]
        if let vary { headers.addVary(vary) }
        if let match = request.headers["If-None-Match"], Reply.etagMatches(match, file.etag, weak: true) {
            headers["Content-Type"] = nil
            return Response(status: 304, headers: headers)
        }
        return Response(status: 200, headers: headers, body: file.body)
    }
}
