import Chronicle
import HTTP

/// `/v1/webhooks` (admin scope): register where changes are delivered, see how delivery goes.
extension ChronicleAPI {
    /// Attempts shown with a hook.
    static let shownDeliveries = 20

    func createWebhook(_ request: Request) throws -> Response {
        try QueryParameters(request, allowed: []).finish()
        guard case .object(let fields) = try jsonBody(request) else {
            throw ChronicleError.validation([FieldError("body", "must be an object such as {\"url\": \"https://example.org/hook\"}")])
        }
        var errors: [FieldError] = []
        let known = ["url", "types", "actor", "secret", "since"]
        for (name, _) in fields where !known.contains(name) { errors.append(FieldError(name, "is not a webhook field; use \(known.joined(separator: ", "))")) }
        let body = JSON.object(fields)
        var url = ""
        switch body["url"] {
        case .string(let text):
            var validator = Validator()
            validator.url(text, "url")
            if validator.errors.isEmpty { url = text } else { errors += validator.errors }
        case nil: errors.append(FieldError("url", "is required: where to POST each change, http:// or https://"))
        default: errors.append(FieldError("url", "must be an http:// or https:// address of at most 2000 characters"))
        }
        var filter = WebhookFilter()
        switch body["types"] {
        case nil, .null?: break
        case .array(let items)?:
            for item in items {
                guard case .string(let name) = item, let kind = RecordKind(named: name) else {
                    errors.append(FieldError("types", "lists kinds: actor, event, quote, source (or actors, events, quotes, sources)"))
                    break
                }
                filter.kinds.insert(kind)
            }
        default: errors.append(FieldError("types", "must be an array of kinds: actor, event, quote, source"))
        }
        switch body["actor"] {
        case nil, .null?: break
        case .string(let actor)?:
            if let found = try? repositories.actors.find(actor) { filter.actorID = found.id } else {
                errors.append(FieldError("actor", "no actor has id or slug '\(actor)'"))
            }
        default: errors.append(FieldError("actor", "must be an actor's id or slug"))
        }
        var secret = Self.randomSecret()
        switch body["secret"] {
        case nil, .null?: break
        case .string(let text)? where (16...200).contains(text.count) && !text.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }):
            secret = text
        default: errors.append(FieldError("secret", "must be a string of 16 to 200 characters, none of them control characters (or left out, and one is made)"))
        }
        var start = try repositories.revisions.head()
        switch body["since"] {
        case nil, .null?, .string("now")?: break  // from now, as the feed's since=now
        case .string(let cursor)?:
            do { start = try ChangeFeedCursor.decode(cursor, field: "since") } catch ChronicleError.validation(let list) { errors += list }
        default: errors.append(FieldError("since", "must be a change-feed cursor"))
        }
        if !errors.isEmpty { throw ChronicleError.validation(errors) }
        let hook = try repositories.webhooks.create(url: url, secret: secret, filter: filter, startAfter: start, by: request.user ?? "anonymous")
        configuration.onWrite()
        guard case .object(var json) = Representation.webhook(hook, deliveries: []) else { return Response(status: 500) }
        json.append(("secret", .string(secret)))
        return Reply.json(request, .object(json), status: 201, headers: ["Location": "/v1/webhooks/\(hook.id)"])
    }

    func listWebhooks(_ request: Request) throws -> Response {
        try QueryParameters(request, allowed: ["pretty"]).finish()
        let hooks = try repositories.webhooks.list()
        let json = try hooks.map { Representation.webhook($0, deliveries: try repositories.webhooks.deliveries(of: $0.id, limit: 1)) }
        return Reply.json(request, .object([("data", .array(json))]))
    }

    func getWebhook(_ request: Request) throws -> Response {
        try QueryParameters(request, allowed: ["pretty"]).finish()
        let hook = try webhook(request)
        let deliveries = try repositories.webhooks.deliveries(of: hook.id, limit: Self.shownDeliveries)
        guard case .object(var json) = Representation.webhook(hook, deliveries: deliveries) else { return Response(status: 500) }
        json.append(("deliveries", .array(deliveries.map(Representation.delivery))))
        return Reply.json(request, .object(json))
    }

    func deleteWebhook(_ request: Request) throws -> Response {
        try QueryParameters(request, allowed: []).finish()
        let hook = try webhook(request)
        _ = try repositories.webhooks.delete(hook.id)
        return Response(status: 204)
    }

    private func webhook(_ request: Request) throws -> Webhook {
        let id = request.parameters["id"] ?? ""
        guard let hook = try repositories.webhooks.find(id) else {
            throw APIError(status: 404, detail: "no webhook with id '\(id)'; list them at /v1/webhooks")
        }
        return hook
    }

    static func randomSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        return "whsec_" + String((0..<32).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}

extension Representation {
    /// A hook as its owner sees it (never its secret): where it delivers, what it wants, how
    /// far it has got and whether its last attempt failed (`deliveries`: newest first).
    static func webhook(_ hook: Webhook, deliveries: [WebhookDelivery]) -> JSON {
        let last = deliveries.first
        let failing = last.map { !$0.succeeded } ?? false
        return .object([
            ("id", .string(hook.id)),
            ("url", .string(hook.url)),
            ("types", .array(hook.filter.kinds.map(\.rawValue).sorted().map(JSON.string))),
            ("actor", .optional(hook.filter.actorID)),
            ("cursor", .string(ChangeFeedCursor.encode(hook.position))),
            ("createdAt", .string(hook.createdAt)),
            ("createdBy", .string(hook.createdBy)),
            ("failing", .bool(failing)),
            ("nextAttemptAt", failing ? .optional(last?.nextAttemptAt) : .null),
        ])
    }

    static func delivery(_ delivery: WebhookDelivery) -> JSON {
        .object([
            ("deliveryId", .string(delivery.deliveryID)),
            ("cursor", .string(ChangeFeedCursor.encode(delivery.position))),
            ("attempt", .int(delivery.attempt)),
            ("at", .string(delivery.at)),
            ("status", delivery.status.map(JSON.int) ?? .null),
            ("error", .optional(delivery.error)),
            ("durationMs", .number(delivery.durationMs)),
        ])
    }
}
