import Chronicle
@testable import ChronicleAPI
import Foundation
import Testing

extension TestAPI {
    /// A streamed response read to its end: status, a header reader and the decoded body.
    func streamed(_ target: String, headers: [String: String] = [:]) throws -> (status: Int?, contentType: String?, text: String) {
        var head = "GET \(target) HTTP/1.1\r\nHost: t\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let client = try StreamClient(port: port, request: head + "\r\n")
        client.read(for: 20) { _ in false }
        #expect(client.ended, "\(target) ended cleanly")
        return (client.status, client.header("Content-Type"), client.text)
    }

    /// NDJSON lines parsed.
    func ndjson(_ target: String) throws -> [JSON] {
        let answer = try streamed(target)
        #expect(answer.status == 200 && answer.contentType == "application/x-ndjson", "\(target)")
        return try answer.text.split(separator: "\n").map { try JSON.parse(Array($0.utf8)) }
    }

    /// Every page of a JSON list, followed by its cursors.
    func allPages(_ path: String, query: String = "") throws -> [JSON] {
        var records: [JSON] = []
        var target = path + "?limit=7" + (query.isEmpty ? "" : "&" + query)
        while true {
            let page = try get(target).json
            records += page.data
            guard let next = page["next"]?.stringValue else { return records }
            target = path + "?limit=7&cursor=" + percentEncode(next) + (query.isEmpty ? "" : "&" + query)
        }
    }

    /// A POST of a file to `/v1/import` with the writer's token.
    func importFile(_ text: String, query: String = "", contentType: String = "application/x-ndjson") throws -> Reply {
        try request("POST", "/v1/import" + (query.isEmpty ? "" : "?" + query), json: text, token: writeToken, headers: ["Content-Type": contentType])
    }
}

/// CSV read by Python's `csv` module: a reader written by others, so that the test does not
/// check our writer against our own reader's mistakes.
func pythonCSV(_ text: String) throws -> [[String]] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))))", ""]
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("chronicle-csv-\(UUID().uuidString).csv")
    try Data(text.utf8).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    process.arguments![3] = file.path
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "python3's csv module read the file")
    return try JSONDecoder().decode([[String]].self, from: data)
}
