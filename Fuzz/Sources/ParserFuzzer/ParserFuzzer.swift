import HTTP

/// Feeds arbitrary bytes to the request-head parser and, when a head parses, the rest to the
/// body decoder its framing calls for. Crashes (traps) when an invariant breaks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = UnsafeBufferPointer(start: data, count: size)
    var limits = ServerLimits()
    limits.maxRequestLineBytes = 512
    limits.maxHeaderBytes = 2048
    limits.maxHeaderCount = 20
    limits.maxBodyBytes = 4096
    switch RequestParser.parseHead(input, limits: limits) {
    case .incomplete:
        break
    case .failure(let error):
        precondition((400...599).contains(error.status), "a parse failure must be a 4xx or 5xx")
    case .complete(let head, let consumed):
        precondition(consumed > 0 && consumed <= size, "consumed \(consumed) of \(size) bytes")
        let hasLength = head.headers.contains("Content-Length")
        let hasChunked = head.headers.contains("Transfer-Encoding")
        precondition(!(hasLength && hasChunked), "a request with both framings was accepted")
        switch head.framing {
        case .chunked:
            precondition(hasChunked && !hasLength)
            var decoder = ChunkedDecoder(maxBody: limits.maxBodyBytes)
            var body: [UInt8] = []
            let rest = UnsafeBufferPointer(rebasing: input[consumed...])
            switch decoder.feed(rest, into: &body) {
            case .done(let used): precondition(used <= rest.count && body.count <= limits.maxBodyBytes)
            case .needMore: precondition(body.count <= limits.maxBodyBytes)
            case .failure(let error): precondition((400...599).contains(error.status))
            }
        case .length(let length):
            precondition(hasLength && !hasChunked && length > 0)
        case .none:
            precondition(!hasChunked)
        }
        if head.minorVersion == 1 { precondition(head.headers.values("Host").count == 1, "HTTP/1.1 without exactly one Host") }
    }
    return 0
}
