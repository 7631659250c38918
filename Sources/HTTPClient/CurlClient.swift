import CCurl
import Glibc

/// Sends one HTTP request and reports the status, through libcurl: TLS, proxies, redirects and
/// HTTP/2 are libcurl's well-kept business, not ours. Knows nothing of Chronicle.
public struct CurlClient: Sendable {
    /// What a request came to: the status when the server answered, else what went wrong.
    public struct Outcome: Sendable, Equatable {
        public let status: Int?
        public let error: String?
        public let seconds: Double
    }

    public init() {
        Self.initializeOnce
    }

    private static let initializeOnce: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    /// POSTs `body` to `url` with `headers`, giving up after `timeout` seconds. Blocks the
    /// calling thread; safe to call from several threads at once (one handle per call).
    public func post(_ url: String, headers: [(String, String)], body: [UInt8], timeout: Double) -> Outcome {
        let started = MonotonicClock.now()
        guard let curl = curl_easy_init() else { return Outcome(status: nil, error: "libcurl could not start a request", seconds: 0) }
        defer { curl_easy_cleanup(curl) }
        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers { list = curl_slist_append(list, "\(name): \(value)") }
        list = curl_slist_append(list, "Expect:")  // no 100-continue round trip
        defer { curl_slist_free_all(list) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = body.withUnsafeBufferPointer { bodyBytes in
            errorBuffer.withUnsafeMutableBufferPointer { errors in
                _ = chronicle_curl_set_string(curl, CURLOPT_URL, url)
                _ = chronicle_curl_set_long(curl, CURLOPT_POST, 1)
                _ = chronicle_curl_set_pointer(curl, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress))
                _ = chronicle_curl_set_long(curl, CURLOPT_POSTFIELDSIZE, body.count)
                _ = chronicle_curl_set_pointer(curl, CURLOPT_HTTPHEADER, list.map { UnsafeMutableRawPointer($0) })
                _ = chronicle_curl_set_long(curl, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
                _ = chronicle_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 5) * 1000))
                _ = chronicle_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
                _ = chronicle_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 0)
                _ = chronicle_curl_set_string(curl, CURLOPT_PROTOCOLS_STR, "http,https")
                _ = chronicle_curl_set_string(curl, CURLOPT_USERAGENT, "Chronicle-Webhooks/1")
                _ = chronicle_curl_set_pointer(curl, CURLOPT_ERRORBUFFER, errors.baseAddress)
                _ = chronicle_curl_set_write_function(curl) { _, size, count, _ in size * count }  // the answer is not kept
                return curl_easy_perform(curl)
            }
        }
        let seconds = MonotonicClock.now() - started
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return Outcome(status: nil, error: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail, seconds: seconds)
        }
        var status = 0
        _ = chronicle_curl_response_code(curl, &status)
        return Outcome(status: status, error: nil, seconds: seconds)
    }
}

/// Monotonic seconds, for timing a request.
enum MonotonicClock {
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
