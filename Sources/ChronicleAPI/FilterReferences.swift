import Chronicle

/// A list filter naming another record (`actor=`, `speaker=`, `source=`, `event=`) is looked up before the
/// list is read: an unknown one is a field error that says what was not found, not an empty list
/// that looks like an answer.
extension ChronicleAPI {
    /// The actor a filter names by id or slug.
    func existingActor(_ idOrSlug: String, field: String) throws -> Actor {
        do { return try repositories.actors.find(idOrSlug) } catch ChronicleError.notFound {
            throw ChronicleError.validation([FieldError(field, "no actor has id or slug '\(idOrSlug)'")])
        }
    }

    /// The id of the source a filter names.
    func existingSource(_ id: String) throws -> String {
        do { return try repositories.sources.find(id).id } catch ChronicleError.notFound {
            throw ChronicleError.validation([FieldError("source", "no source has id '\(id)'; ids look like src_… (GET /v1/sources lists them)")])
        }
    }

    /// The id of the event a filter names.
    func existingEvent(_ id: String) throws -> String {
        do { return try repositories.events.find(id).id } catch ChronicleError.notFound {
            throw ChronicleError.validation([FieldError("event", "no event has id '\(id)'; ids look like evt_… (GET /v1/events lists them)")])
        }
    }

    /// An actor a body names by slug, as its id (a body may name actors as filters and imports
    /// do); anything else as given, for the store's own check to refuse when nothing has it.
    static func actorID(_ reference: String, in actors: any ActorRepository) -> String {
        guard !reference.hasPrefix(Identifier.prefix(.actor)), let actor = try? actors.find(reference) else { return reference }
        return actor.id
    }
}
