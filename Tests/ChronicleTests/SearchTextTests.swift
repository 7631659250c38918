import Chronicle
import Testing

@Suite struct SearchTextTests {
    @Test func punctuatedWordsBecomePhrases() {
        #expect(SearchText.normalized("anti-war") == #""anti-war""#)
        #expect(SearchText.normalized("Kassym-Jomart Tokayev") == #""Kassym-Jomart" Tokayev"#)
        #expect(SearchText.normalized("Ukraine: war") == #""Ukraine:" war"#)
        #expect(SearchText.normalized("Tokayev's U.S. 20-30%") == #""Tokayev's" "U.S." "20-30%""#)
        // A punctuated prefix keeps its star outside the phrase, as FTS5 reads a phrase prefix.
        #expect(SearchText.normalized("anti-wa*") == #""anti-wa"*"#)
    }

    @Test func validQueriesPassUnchanged() {
        for query in ["Lukashenko", "grain OR harvest", "Belarus NOT Russia", #""exact phrase" Putin"#, "Luka*",
                      "(grain OR gas) AND Russia", "Лукашенко", #""it""s" quoted"#, #""Alexander Lukash"* Putin"#, "Lukash *",
                      // What SQLite's FTS5 alone reads, as it reads it.
                      "title:ukraine war", "body: war", "NEAR(Lukashenko Putin, 5) war", "one + two", "^Lukashenko"] {
            #expect(SearchText.normalized(query) == query, "\(query)")
        }
    }

    @Test func punctuationAloneIsLeftOutAndSpacingIsTidied() {
        #expect(SearchText.normalized("Lukashenko - Putin & Xi") == "Lukashenko Putin Xi")
        #expect(SearchText.normalized("Lukashenko — Putin … anti-war") == #"Lukashenko Putin "anti-war""#)
        #expect(SearchText.normalized("(Lukashenko - Putin)") == "( Lukashenko Putin )")
        // Nothing left to search for, or an unclosed quote: the query as given, for the engine to refuse.
        #expect(SearchText.normalized("- &") == "- &")
        #expect(SearchText.normalized(#"anti-war "unclosed"#) == #"anti-war "unclosed"#)
    }
}
