/// The search caches' size and use, as the store reports them for `/metrics`: the searched
/// phrases' matches, and the best rows' hits.
public struct SearchCacheUsage: Sendable, Equatable {
    public var bytes: Int, phrases: Int, hits: Int, misses: Int
    public var rowBytes = 0, rows = 0, rowHits = 0, rowMisses = 0
    /// Kept phrases dropped because a write could have changed their matches.
    public var phrasesDropped = 0
    /// Kept phrases made current by matching again only the rows a write changed.
    public var phrasesPatched = 0
    /// Recent index changes held to tell which kept searches a write touched.
    public var changesHeld = 0
    public init(bytes: Int, phrases: Int, hits: Int, misses: Int) {
        (self.bytes, self.phrases, self.hits, self.misses) = (bytes, phrases, hits, misses)
    }
}
