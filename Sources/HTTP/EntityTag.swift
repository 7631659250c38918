/// Entity tags of gzip-encoded representations.
///
/// A gzip body is another representation of the resource (RFC 9110 §8.8.3), so it must not
/// carry the strong tag of the plain body: a cache could otherwise combine ranges of the two, or
/// answer one client's revalidation with the other's bytes. The server marks the tag of a body it
/// encodes, `"tag"` becoming `"tag-gzip"`, and an application comparing conditional headers
/// against its own tags takes the mark off first (`removingEncodingSuffix`), so that a client
/// revalidating a gzip body still gets its 304.
public enum EntityTag {
    static let gzipSuffix = "-gzip"

    /// `"tag"` → `"tag-gzip"`, `W/"tag"` → `W/"tag-gzip"`; anything not a quoted tag unchanged.
    public static func addingEncodingSuffix(_ tag: String) -> String {
        guard tag.hasSuffix("\""), tag.utf8.count >= 2, tag.hasPrefix("\"") || tag.hasPrefix("W/\"") else { return tag }
        return String(tag.dropLast()) + gzipSuffix + "\""
    }

    /// The tag the server started from: `"tag-gzip"` → `"tag"` (`W/` kept); other tags unchanged.
    public static func removingEncodingSuffix<S: StringProtocol>(_ tag: S) -> String {
        let marked = gzipSuffix + "\""
        guard tag.hasSuffix(marked), tag.utf8.count >= marked.utf8.count + 1 else { return String(tag) }
        return String(tag.dropLast(marked.count)) + "\""
    }
}
