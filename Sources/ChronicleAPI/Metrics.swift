import HTTP
import Synchronization

/// Request counts by route and status and a latency histogram per route, in Prometheus text.
/// Kept per route in one small struct, so that recording a request is one lookup under a lock:
/// an array index by the router's route number when the request has one (hashing the route
/// pattern was a third of the cost), the pattern otherwise.
final class Metrics: Middleware, Sendable {
    static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct RouteStats {
        /// A route sees a handful of method and status pairs; a short array beats two hash lookups.
        var counts: [(status: Int, method: String, count: Int)] = []
        var buckets = [Int](repeating: 0, count: Metrics.bounds.count)
        var sum = 0.0
        var count = 0

        mutating func record(method: String, status: Int, seconds: Double, bucket: Int?) {
            if let index = counts.firstIndex(where: { $0.status == status && $0.method == method }) {
                counts[index].count += 1
            } else {
                counts.append((status, method, 1))
            }
            if let bucket { buckets[bucket] += 1 }
            sum += seconds
            count += 1
        }

        mutating func add(_ other: RouteStats) {
            for entry in other.counts {
                if let index = counts.firstIndex(where: { $0.status == entry.status && $0.method == entry.method }) {
                    counts[index].count += entry.count
                } else {
                    counts.append(entry)
                }
            }
            for index in buckets.indices { buckets[index] += other.buckets[index] }
            sum += other.sum
            count += other.count
        }
    }

    private struct Table {
        /// By `Request.preparedTag` (a route and method): the route's pattern, and its figures
        /// in a parallel array so that recording modifies them in place.
        var tagRoutes: [String?] = []
        var tagStats: [RouteStats] = []
        var byRoute: [String: RouteStats] = [:]

        mutating func record(_ request: Request, status: Int, seconds: Double, bucket: Int?) {
            let route = request.route ?? "unmatched"
            if let tag = request.preparedTag, request.route != nil, tag >= 0, tag < 4096 {
                if tag >= tagRoutes.count {
                    tagRoutes += Array(repeating: nil, count: tag + 1 - tagRoutes.count)
                    tagStats += Array(repeating: RouteStats(), count: tag + 1 - tagStats.count)
                }
                if tagRoutes[tag] == nil { tagRoutes[tag] = route }
                if tagRoutes[tag] == route {
                    tagStats[tag].record(method: request.method, status: status, seconds: seconds, bucket: bucket)
                    return
                }
            }
            byRoute[route, default: RouteStats()].record(method: request.method, status: status, seconds: seconds, bucket: bucket)
        }

        /// Everything by route pattern.
        var merged: [String: RouteStats] {
            var all = byRoute
            for (route, stats) in zip(tagRoutes, tagStats) {
                if let route { all[route, default: RouteStats()].add(stats) }
            }
            return all
        }
    }

    private let state = Mutex(Table())

    func respond(to request: Request, next: (Request) throws -> Response) throws -> Response {
        let response = try next(request)
        let seconds = request.secondsSinceReceived
        let bucket = Metrics.bounds.firstIndex { seconds <= $0 }
        state.withLock { $0.record(request, status: response.status, seconds: seconds, bucket: bucket) }
        return response
    }

    func render(openConnections: Int, acceptPauses: Int) -> String {
        let routes = state.withLock { $0.merged }
        var out = "# HELP chronicle_http_requests_total Requests answered, by method, route and status.\n# TYPE chronicle_http_requests_total counter\n"
        for (route, stats) in routes.sorted(by: { $0.key < $1.key }) {
            for entry in stats.counts.sorted(by: { ($0.status, $0.method) < ($1.status, $1.method) }) {
                out += "chronicle_http_requests_total{method=\"\(entry.method)\",route=\"\(route)\",status=\"\(entry.status)\"} \(entry.count)\n"
            }
        }
        out += "# HELP chronicle_http_request_duration_seconds Time to answer a request, by route.\n# TYPE chronicle_http_request_duration_seconds histogram\n"
        for (route, stats) in routes.sorted(by: { $0.key < $1.key }) {
            var cumulative = 0
            for (index, bound) in Metrics.bounds.enumerated() {
                cumulative += stats.buckets[index]
                out += "chronicle_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "chronicle_http_request_duration_seconds_bucket{route=\"\(route)\",le=\"+Inf\"} \(stats.count)\n"
            out += "chronicle_http_request_duration_seconds_sum{route=\"\(route)\"} \(stats.sum)\n"
            out += "chronicle_http_request_duration_seconds_count{route=\"\(route)\"} \(stats.count)\n"
        }
        out += "# HELP chronicle_http_open_connections Client connections open now.\n# TYPE chronicle_http_open_connections gauge\n"
        out += "chronicle_http_open_connections \(openConnections)\n"
        out += "# HELP chronicle_http_accept_pauses_total Times accepting paused for 100 ms because the process was out of file descriptors.\n"
        out += "# TYPE chronicle_http_accept_pauses_total counter\nchronicle_http_accept_pauses_total \(acceptPauses)\n"
        return out
    }
}
