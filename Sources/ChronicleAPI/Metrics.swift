import Foundation
import HTTP

/// Request counts by route and status and a latency histogram per route, in Prometheus text.
final class Metrics: Middleware, @unchecked Sendable {
    static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct Key: Hashable { let method: String, route: String, status: Int }
    private struct Histogram { var buckets = [Int](repeating: 0, count: Metrics.bounds.count); var sum = 0.0; var count = 0 }

    private let lock = NSLock()
    private var counts: [Key: Int] = [:]
    private var latency: [String: Histogram] = [:]

    func respond(to request: Request, next: (Request) throws -> Response) throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let response = try next(request)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let route = request.route ?? "unmatched"
        lock.lock()
        counts[Key(method: request.method, route: route, status: response.status), default: 0] += 1
        var histogram = latency[route] ?? Histogram()
        if let index = Metrics.bounds.firstIndex(where: { seconds <= $0 }) { histogram.buckets[index] += 1 }
        histogram.sum += seconds
        histogram.count += 1
        latency[route] = histogram
        lock.unlock()
        return response
    }

    func render(openConnections: Int) -> String {
        lock.lock()
        let counts = self.counts, latency = self.latency
        lock.unlock()
        var out = "# HELP chronicle_http_requests_total Requests answered, by method, route and status.\n# TYPE chronicle_http_requests_total counter\n"
        for (key, value) in counts.sorted(by: { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }) {
            out += "chronicle_http_requests_total{method=\"\(key.method)\",route=\"\(key.route)\",status=\"\(key.status)\"} \(value)\n"
        }
        out += "# HELP chronicle_http_request_duration_seconds Time to answer a request, by route.\n# TYPE chronicle_http_request_duration_seconds histogram\n"
        for (route, histogram) in latency.sorted(by: { $0.key < $1.key }) {
            var cumulative = 0
            for (index, bound) in Metrics.bounds.enumerated() {
                cumulative += histogram.buckets[index]
                out += "chronicle_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "chronicle_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"+Inf\"} \(histogram.count)\n"
            out += "chronicle_http_request_duration_seconds_sum{route=\"\(route)\"} \(histogram.sum)\n"
            out += "chronicle_http_request_duration_seconds_count{route=\"\(route)\"} \(histogram.count)\n"
        }
        out += "# HELP chronicle_http_open_connections Client connections open now.\n# TYPE chronicle_http_open_connections gauge\n"
        out += "chronicle_http_open_connections \(openConnections)\n"
        return out
    }
}
