import Foundation
import Glibc
import Testing
@testable import HTTP

@Suite struct TimeoutAndLimitTests {
    func shortTimeouts() -> ServerLimits {
        var limits = ServerLimits()
        limits.headTimeout = 0.3
        limits.bodyStallTimeout = 0.3
        limits.idleTimeout = 0.5
        return limits
    }

    @Test func aSlowHeadGets408() throws {
        let server = try startServer(limits: shortTimeouts())
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("GET /hello HTTP/1.1\r\nHo")
        let reply = try client.read()
        #expect(reply.status == 408)
        #expect(client.isClosedByServer())
    }

    @Test func aStalledBodyGets408() throws {
        let server = try startServer(limits: shortTimeouts())
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        #expect(try client.read().status == 408)
    }

    @Test func anIdleKeepAliveConnectionIsClosed() throws {
        let server = try startServer(limits: shortTimeouts())
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try client.read().status == 200)
        let start = Date()
        #expect(client.isClosedByServer())
        #expect(Date().timeIntervalSince(start) > 0.3)
    }

    @Test func theLastAllowedRequestOnAConnectionClosesIt() throws {
        var limits = ServerLimits()
        limits.maxRequestsPerConnection = 3
        let server = try startServer(limits: limits)
        defer { server.shutdown(); server.wait() }
        let client = try RawClient(port: server.port)
        for expected in [nil, nil, "close"] as [String?] {
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.read().headers["Connection"] == expected)
        }
        #expect(client.isClosedByServer())
    }

    @Test func connectionsBeyondTheCapGet503() throws {
        var limits = ServerLimits()
        limits.maxConnections = 2
        let server = try startServer(limits: limits)
        defer { server.shutdown(); server.wait() }
        let a = try RawClient(port: server.port), b = try RawClient(port: server.port)
        a.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        b.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try a.read().status == 200 && b.read().status == 200)
        let c = try RawClient(port: server.port)
        #expect(try c.read().status == 503)
    }

    @Test func manyConcurrentClientsAreAllServed() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 200) { i in
            do {
                let client = try RawClient(port: server.port)
                for _ in 0..<5 {
                    client.send("GET /items/\(i) HTTP/1.1\r\nHost: x\r\n\r\n")
                    if try client.read().text != "item \(i)" { failures.add(1) }
                }
            } catch {
                failures.add(1)
            }
        }
        #expect(failures.current == 0)
    }

    @Test func openingAndClosing20000ConnectionsLeaksNothing() throws {
        let server = try startServer()
        defer { server.shutdown(); server.wait() }
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            for i in 0..<5000 {
                do {
                    let client = try RawClient(port: server.port)
                    if i % 2 == 0 {
                        client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        if try client.read().status != 200 { failures.add(1) }
                    }
                } catch {
                    failures.add(1)
                }
            }
        }
        #expect(failures.current == 0)
        // The server notices the last closes within a moment.
        var waited = 0
        while server.openConnections > 0 && waited < 100 { usleep(20_000); waited += 1 }
        #expect(server.openConnections == 0)
        // A server-side descriptor the server forgot to close stays in CLOSE_WAIT once the client
        // has gone. (Counting /proc/self/fd would also count other tests running in parallel.)
        #expect(serverSideSockets(port: server.port).filter { $0 != "0A" && $0 != "06" }.isEmpty)
    }

    @Test func gracefulShutdownFinishesTheRequestInFlight() throws {
        let server = try startServer()
        let client = try RawClient(port: server.port)
        client.send("GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(50_000)
        let idle = try RawClient(port: server.port)
        usleep(20_000)
        server.shutdown()
        let reply = try client.read()
        #expect(reply.status == 200 && reply.text == "slow" && reply.headers["Connection"] == "close")
        #expect(idle.isClosedByServer())
        server.wait()
        #expect(server.openConnections == 0)
    }
}
