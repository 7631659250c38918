import Chronicle
import HTTP

/// `GET /v1/changes`: every change in commit order, as pages, as a long poll (`wait=N`) or as
/// server-sent events (`Accept: text/event-stream`).
extension ChronicleAPI {
    /// The longest a long poll waits.
    static let maxWaitSeconds = 60

    /// A write committed here: live followers and webhook delivery hear of it now.
    /// Another process committed changes: live streams and webhooks go on now, not at their
    /// next poll.
    public func changesCommittedElsewhere() {
        changeStreams.poke()
        configuration.onWrite()
    }

    func wroteChanges() {
        changeStreams.poke()
        configuration.onWrite()
    }

    /// `GET /v1/changes`: a page of changes, or an event stream for `Accept: text/event-stream`,
    /// so the answer varies with `Accept`.
    func changes(_ request: Request) throws -> Response {
        var response = try changeFeed(request)
        response.headers.addVary("Accept")
        return response
    }

    private func changeFeed(_ request: Request) throws -> Response {
        var query = QueryParameters(request, allowed: ["since", "limit", "type", "wait", "pretty"])
        let page = query.page()
        let since = query.string("since")
        let filter = ChangeFilter(kinds: Set(query.kinds()))
        let waitText = query.string("wait")
        try query.finish()
        var wait = 0
        if let waitText {
            guard let seconds = Int(waitText), (0...Self.maxWaitSeconds).contains(seconds) else {
                throw ChronicleError.validation([FieldError("wait", "must be a whole number of seconds from 0 to \(Self.maxWaitSeconds), not '\(waitText)'")])
            }
            wait = seconds
        }
        let lastEventID = request.headers["Last-Event-ID"]?.trimmingWhitespace
        let wantsEvents = (request.headers["Accept"] ?? "").lowercased().contains("text/event-stream")
        // Where to start: a reconnecting event stream's last id, else `since` (a cursor, or now).
        var start: Int64?
        if wantsEvents, let lastEventID, !lastEventID.isEmpty {
            start = try ChangeFeedCursor.decode(lastEventID, field: "Last-Event-ID")
        } else if since == "now" {
            start = try repositories.revisions.head()
        } else if let since {
            start = try ChangeFeedCursor.decode(since, field: "since")
        }

        if wantsEvents {
            // Live from now unless told where to resume.
            let position = try start ?? repositories.revisions.head()
            let streams = changeStreams
            let headers: Headers = ["Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-store", "X-Accel-Buffering": "no"]
            guard streams.followerCount < streams.maxFollowers else {
                throw APIError(status: 503, detail: "this server follows as many change streams as it may (\(streams.maxFollowers)); try again later")
            }
            return Response(status: 200, headers: headers, push: PushStream { sink in
                sink.send(Array("retry: 2000\n: following changes after \(ChangeFeedCursor.encode(position))\n\n".utf8))
                if !streams.follow(ChangeStreams.Follower(sink: sink, filter: filter, position: position, mode: .events)) {
                    sink.send(Array("event: refused\ndata: {\"reason\":\"this server follows as many change streams as it may; try again later\"}\n\n".utf8))
                    sink.finish()
                }
            })
        }

        let position = start ?? 0
        let read = try repositories.revisions.changes(after: position, filter: filter, limit: page.limit)
        guard read.changes.isEmpty, wait > 0, read.reached >= (try repositories.revisions.head()) else {
            return Reply.json(request, Representation.changesPage(read.changes, reached: read.reached), headers: ["Cache-Control": "no-store"])
        }
        // Nothing yet: answer when something comes, or with an empty page when the wait is up.
        let streams = changeStreams
        let deadline = ChangeStreams.Follower.now() + Double(wait)
        let pretty = Reply.wantsPretty(request)
        let emptyPage = Representation.changesPage([], reached: read.reached).serialized(pretty: pretty)
        return Response(status: 200, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"], push: PushStream(closing: emptyPage) { sink in
            let follower = ChangeStreams.Follower(sink: sink, filter: filter, position: read.reached,
                                                  mode: .longPoll(deadline: deadline, limit: page.limit, pretty: pretty))
            if !streams.follow(follower) {
                sink.send(emptyPage)
                sink.finish()
            }
        })
    }
}
