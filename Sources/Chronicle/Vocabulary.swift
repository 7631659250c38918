/// What kind of actor a record is.
public enum ActorKind: String, Sendable, Codable, CaseIterable { case person, organization, country, group }

/// What an event is about, for filtering a timeline.
public enum EventCategory: String, Sendable, Codable, CaseIterable {
    case military, diplomacy, politics, protest, repression, election, statement, other
}

/// How an actor took part in an event.
public enum ParticipantRole: String, Sendable, Codable, CaseIterable {
    case initiator, target, participant, host, mediator, organizer, observer, victim
}

/// How far a quote has been checked.
public enum VerificationStatus: String, Sendable, Codable, CaseIterable { case unverified, verified, disputed, misattributed }

/// The record types Chronicle stores; used by search and by error messages.
public enum RecordKind: String, Sendable, Codable, CaseIterable { case actor, event, quote, source }

extension RecordKind {
    /// A kind as people name it, `quote` or `quotes`: the paths say `/v1/quotes`, records say
    /// `"type": "quote"`, so every place that takes a kind by name reads both.
    public init?(named name: some StringProtocol) {
        if let kind = RecordKind(rawValue: String(name)) { self = kind; return }
        guard name.hasSuffix("s"), let kind = RecordKind(rawValue: String(name.dropLast())) else { return nil }
        self = kind
    }
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
    /// The allowed values, for error messages: `person, organization, country, group`.
    public static var allowedValues: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Parses a raw value or says which values are allowed.
    public static func parse(_ text: String, field: String) throws(ChronicleError) -> Self {
        guard let value = Self(rawValue: text) else {
            throw .validation([FieldError(field, "'\(text)' is not one of: \(allowedValues)")])
        }
        return value
    }
}
