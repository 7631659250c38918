import Chronicle
import HTTP

/// The representations a record or a list can be asked for: by `format=`, which wins, or by
/// `Accept`. JSON stays the default: a client that names neither, or accepts anything, gets
/// what it always got, and an `Accept` that names nothing offered is answered in JSON too
/// (RFC 9110 §12.5.1 allows it), since browsers and tools send such headers by habit.
enum ResponseFormat: String, CaseIterable, Sendable {
    case json, jsonld
    /// Every matching record of a list, not a page, streamed (see `ListStream`).
    case ndjson, csv

    var mediaType: String {
        switch self {
        case .json: "application/json"
        case .jsonld: "application/ld+json"
        case .ndjson: "application/x-ndjson"
        case .csv: "text/csv"
        }
    }

    /// The Content-Type sent: CSV says its charset and that its first row is a header (RFC 4180).
    var contentType: String { self == .csv ? "text/csv; charset=utf-8; header=present" : mediaType }

    /// What a single record can be; lists offer every case.
    static let recordFormats: [ResponseFormat] = [.json, .jsonld]

    /// The format the request asks for among `offered`, whose first is the default. Among
    /// media types the client accepts equally, the earlier offered wins.
    static func requested(format: String?, accept: String?, among offered: [ResponseFormat]) throws(ChronicleError) -> ResponseFormat {
        if let format {
            guard let chosen = offered.first(where: { $0.rawValue == format }) else {
                throw .validation([FieldError("format", "'\(format)' is not one of: \(offered.map(\.rawValue).joined(separator: ", "))")])
            }
            return chosen
        }
        // What nearly every request sends (or nothing), answered without parsing: records are read
        // tens of thousands of times a second.
        guard let accept, !accept.isEmpty, accept != "*/*", accept != "application/json" else { return offered[0] }
        let ranges = MediaRange.list(accept)
        var best = offered[0], bestQuality = MediaRange.quality(of: offered[0].mediaType, in: ranges)
        for candidate in offered.dropFirst() {
            let quality = MediaRange.quality(of: candidate.mediaType, in: ranges)
            if quality > bestQuality { (best, bestQuality) = (candidate, quality) }
        }
        return best
    }
}

/// One entry of an `Accept` header: `application/ld+json;q=0.9`, `application/*`, `*/*`.
struct MediaRange: Equatable {
    let type: String
    let subtype: String
    let quality: Double

    /// The entries of an `Accept` header; malformed ones are skipped.
    static func list(_ header: String) -> [MediaRange] {
        header.split(separator: ",").compactMap { entry in
            let parts = entry.split(separator: ";").map { $0.trimmingWhitespace.lowercased() }
            guard let name = parts.first else { return nil }
            let names = name.split(separator: "/", omittingEmptySubsequences: false)
            guard names.count == 2, !names[0].isEmpty, !names[1].isEmpty else { return nil }
            var quality = 1.0
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                quality = min(1, max(0, Double(parameter.dropFirst(2)) ?? 1))
            }
            return MediaRange(type: String(names[0]), subtype: String(names[1]), quality: quality)
        }
    }

    /// The quality the most specific matching range gives `mediaType`; 0 when none matches.
    static func quality(of mediaType: String, in ranges: [MediaRange]) -> Double {
        let names = mediaType.split(separator: "/").map(String.init)
        var best: (specificity: Int, quality: Double) = (-1, 0)
        for range in ranges {
            let specificity: Int
            if range.type == names[0] && range.subtype == names[1] { specificity = 2 }
            else if range.type == names[0] && range.subtype == "*" { specificity = 1 }
            else if range.type == "*" && range.subtype == "*" { specificity = 0 }
            else { continue }
            if specificity > best.specificity || (specificity == best.specificity && range.quality > best.quality) {
                best = (specificity, range.quality)
            }
        }
        return best.quality
    }
}

extension QueryParameters {
    /// `format=` or else `Accept`, among `offered`; an unknown format is a field error like any other.
    mutating func format(accept: String?, among offered: [ResponseFormat]) -> ResponseFormat {
        do { return try ResponseFormat.requested(format: string("format"), accept: accept, among: offered) } catch {
            if case .validation(let list) = error { for item in list { fail(item.field, item.message) } }
            return offered[0]
        }
    }
}
