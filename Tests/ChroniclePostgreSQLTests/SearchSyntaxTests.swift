import Chronicle
import ChroniclePostgreSQL
import Testing

/// What only the PostgreSQL search has to show: its own parser of the query syntax (the hit sets
/// both engines share are in the conformance suite).
@Suite(.needsPostgres) struct PostgresSearchSyntaxTests {
    @Test func quotesBackslashesAndOperatorsInTheTextStayData() throws {
        let database = try TestDatabase()
        let db = try database.store()
        let quote = try db.quotes.create(QuoteDraft(text: "it's a test of back\\slashes & pipes | and !bangs <-> arrows", language: "en"))
        for query in ["\"it's\"", "\"it's\"*", "\"back\\slashes\"", "\"& pipes |\"", "\"!bangs\"", "\"<->\" OR test", "\"'\"", "\"\"\"\""] {
            // Each parses and runs; whatever it matches, it never reaches SQL or tsquery syntax.
            _ = try db.search.search(query, kinds: [], limit: 5)
        }
        #expect(try db.search.search("\"it's a test\"", kinds: [], limit: 5).map(\.id) == [quote.id])
        #expect(try db.search.search("\"back\\slashes\"", kinds: [], limit: 5).map(\.id) == [quote.id])
    }

    @Test(arguments: ["NEAR(a b)", "title:test", "^test", "a + b", "test)", "()", "a OR OR b", "a NOT"])
    func ftsExtrasAndBrokenQueriesAreRefused(_ query: String) throws {
        let database = try TestDatabase()
        let db = try database.store()
        #expect(throws: ChronicleError.self) { try db.search.search(query, kinds: [], limit: 5) }
        do {
            _ = try db.search.search(query, kinds: [], limit: 5)
        } catch ChronicleError.validation(let errors) {
            #expect(errors.map(\.field) == ["q"])
        }
    }
}
