import Chronicle
import HTTP

/// A record kind with a schema.org form (see `LinkedData`).
protocol LinkedDataRepresentable {
    func linkedData(_ ids: LinkedDataIDs) -> JSON
}

extension Actor: LinkedDataRepresentable { func linkedData(_ ids: LinkedDataIDs) -> JSON { LinkedData.actor(self, ids) } }
extension Event: LinkedDataRepresentable { func linkedData(_ ids: LinkedDataIDs) -> JSON { LinkedData.event(self, ids) } }
extension Quote: LinkedDataRepresentable { func linkedData(_ ids: LinkedDataIDs) -> JSON { LinkedData.quote(self, ids) } }
extension Source: LinkedDataRepresentable { func linkedData(_ ids: LinkedDataIDs) -> JSON { LinkedData.source(self, ids) } }

extension ChronicleAPI {
    /// `{"@context": "https://schema.org", "@graph": [...]}`. The next page is where the JSON
    /// list says it is, in the `Link: rel="next"` header (the graph has no place for a cursor).
    func linkedDataList<T: LinkedDataRepresentable>(_ request: Request, _ page: Page<T>) -> Response {
        let ids = linkedDataIDs(request)
        let body = LinkedData.graph(page.items.map { $0.linkedData(ids) }).serialized(pretty: Reply.wantsPretty(request))
        var headers = Headers()
        if let next = page.nextCursor { headers["Link"] = "<\(linkTarget(request, cursor: next))>; rel=\"next\"" }
        return Reply.linkedData(request, body: body, headers: headers)
    }

    /// One record as a JSON-LD document, with a strong ETag of its version and of this body, so
    /// that it never matches the JSON body's tag.
    func linkedDataRecord<Record: VersionedRecord & LinkedDataRepresentable>(_ request: Request, _ record: Record) -> Response {
        let body = LinkedData.document(record.linkedData(linkedDataIDs(request))).serialized(pretty: Reply.wantsPretty(request))
        return Reply.linkedData(request, body: body, etag: Reply.recordTag(record.id, record.version, body: body))
    }

    /// `fields=` picks top-level JSON fields; a JSON-LD node is given whole.
    func refuseFieldsInLinkedData(_ fields: Set<String>?) throws(ChronicleError) {
        if fields != nil { throw .validation([Self.fieldsInLinkedData]) }
    }

    static let fieldsInLinkedData = FieldError("fields", "selects fields of the JSON representation; JSON-LD (format=jsonld) is always given whole")
}

extension Reply {
    /// A JSON-LD body, cached and revalidated as JSON is.
    static func linkedData(_ request: Request, body: [UInt8], etag: String? = nil, headers: Headers = Headers()) -> Response {
        var response = json(request, body: body, etag: etag, headers: headers)
        if response.status == 200 { response.headers["Content-Type"] = ResponseFormat.jsonld.mediaType }
        return response
    }
}
