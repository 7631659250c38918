import Chronicle

/// Events as Knight Lab TimelineJS's JSON (https://timeline.knightlab.com/docs/json-format.html),
/// so that the graphics desk can point a timeline at the API. Each event is a slide:
/// `start_date`/`end_date` hold only the parts the date's precision knows, as numbers;
/// `display_date` says the span as a reader would; `unique_id` is the event's id (a slide's
/// address in the page's URL, stable across edits); `group` its category. TimelineJS renders a
/// headline, text, caption and credit as HTML, so every text from the store is escaped here.
enum Timeline {
    /// What the title slide says about the selection.
    struct Title: Equatable {
        var headline: String
        var text: String
    }

    static func document(_ events: [Event], sources: [String: Source], title: Title) -> JSON {
        .object([
            ("title", .object([("text", .object([("headline", .string(htmlEscaped(title.headline))), ("text", .string(htmlEscaped(title.text)))]))])),
            ("events", .array(events.map { slide($0, sources: sources) })),
        ])
    }

    /// `sources` holds the cited sources by id, for their publishers and authors.
    static func slide(_ event: Event, sources: [String: Source]) -> JSON {
        var fields: [(String, JSON)] = [("unique_id", .string(event.id)), ("start_date", date(event.start))]
        if let end = event.end { fields.append(("end_date", date(end))) }
        fields.append(("display_date", .string(ReaderDate.span(event.start, event.end))))
        fields.append(("group", .string(event.category.rawValue)))
        fields.append(("text", .object([("headline", .string(htmlEscaped(event.title))), ("text", .string(text(event, sources: sources)))])))
        if let media = media(event, sources: sources) { fields.append(("media", media)) }
        return .object(fields)
    }

    /// A TimelineJS date object: the year, then the month and day only where they are known.
    static func date(_ date: PartialDate) -> JSON {
        var parts: [(String, JSON)] = [("year", .int(date.year))]
        if let month = date.month { parts.append(("month", .int(month))) }
        if let day = date.day { parts.append(("day", .int(day))) }
        return .object(parts)
    }

    /// The summary, then each cited source named once (linked where it has a web address), so a
    /// reader of the timeline sees who reports the event.
    static func text(_ event: Event, sources: [String: Source]) -> String {
        var html = event.summary.map { "<p>\(htmlEscaped($0))</p>" } ?? ""
        var seen = Set<String>()
        let named = event.citations.filter { seen.insert($0.sourceID).inserted }.map { citation -> String in
            let title = htmlEscaped(citation.sourceTitle ?? sources[citation.sourceID]?.title ?? citation.sourceID)
            let name = citation.sourceURL.flatMap(webAddress).map { "<a href=\"\(htmlEscaped($0))\">\(title)</a>" } ?? title
            let publisher = sources[citation.sourceID]?.publisher.map { ", " + htmlEscaped($0) } ?? ""
            return name + publisher
        }
        if !named.isEmpty { html += "<p>\(named.count == 1 ? "Source" : "Sources"): \(named.joined(separator: "; "))</p>" }
        return html
    }

    /// The first cited source with a web address, credited to its author and publisher where known.
    static func media(_ event: Event, sources: [String: Source]) -> JSON? {
        guard let citation = event.citations.first(where: { $0.sourceURL.flatMap(webAddress) != nil }),
              let url = citation.sourceURL.flatMap(webAddress) else { return nil }
        var fields: [(String, JSON)] = [("url", .string(url))]
        if let title = citation.sourceTitle { fields.append(("caption", .string(htmlEscaped(title)))) }
        let source = sources[citation.sourceID]
        let credit = [source?.author, source?.publisher].compactMap { $0 }
        if !credit.isEmpty { fields.append(("credit", .string(htmlEscaped(credit.joined(separator: ", "))))) }
        return .object(fields)
    }
}

extension Timeline.Title {
    /// "Alexander Lukashenko" over "12 protest events, 2020–2022."; the store's name when no
    /// actor is chosen. Says so when the timeline holds only the first events of more.
    init(actorName: String?, category: EventCategory?, from: PartialDate?, to: PartialDate?, count: Int, truncated: Bool) {
        headline = actorName ?? "Chronicle"
        var text = "\(count) \(category.map { $0.rawValue + " " } ?? "")event\(count == 1 ? "" : "s")"
        switch (from, to) {
        case let (from?, to?): text += ", " + ReaderDate.span(from, to)
        case let (from?, nil): text += " from " + ReaderDate.phrase(from)
        case let (nil, to?): text += " until " + ReaderDate.phrase(to)
        case (nil, nil): break
        }
        text += "."
        if truncated { text += " These are the earliest \(count) of more; narrow the dates (from, to) or raise limit to see the rest." }
        self.text = text
    }
}
