import Chronicle
@testable import ChronicleAPI
import ChronicleExplorer
import Foundation
import Testing

/// The explorer's files as the server hands them out: the right types and tags, a policy that
/// allows no inline code, HTML for browsers and JSON for everyone else at `/`. What the pages do
/// in a browser is tested by `tools/browser-test.sh` in Chromium.
@Suite struct ExplorerServingTests {
    static let assetsFolder = repoRoot.appendingPathComponent("Sources/ChronicleExplorer/Assets")
    static let browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

    func api(_ source: ExplorerSource = .embedded(ExplorerFiles.embedded)) throws -> TestAPI {
        try TestAPI(configure: { $0.explorer = source })
    }

    static func assetNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: assetsFolder.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    /// SwiftPM embeds every file of the folder, but only the ones listed are served: a new
    /// module left out of the list would be a 404 in production and fine with `--explorer-dir`.
    @Test func everyFileInTheFolderIsEmbeddedAsItIs() throws {
        let names = try Self.assetNames()
        #expect(names.contains("index.html") && names.contains { $0.hasSuffix(".js") })
        #expect(Set(ExplorerFiles.embedded.keys) == Set(names))
        for name in names {
            let onDisk = try [UInt8](Data(contentsOf: Self.assetsFolder.appendingPathComponent(name)))
            let same = ExplorerFiles.embedded[name] == onDisk  // compared apart: a failure would print every byte
            #expect(same, "\(name) differs from the copy built in; rebuild")
            #expect(ExplorerAssets.isPlainName(name), "\(name) is not a plain lowercase name")
        }
    }

    @Test func aBrowserGetsTheExplorerAtTheRootAndCurlGetsJSON() throws {
        let api = try api()
        let page = try api.get("/", headers: ["Accept": Self.browserAccept])
        #expect(page.status == 200)
        #expect(page.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.text.contains("<script type=\"module\" src=\"/assets/app.js\"></script>"))
        #expect(page.headers["Vary"]?.contains("Accept") == true)
        let policy = try #require(page.headers["Content-Security-Policy"])
        #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"))
        #expect(page.headers["X-Content-Type-Options"] == "nosniff")

        for accept in [nil, "*/*", "application/json", "application/json, text/html;q=0.5"] {
            let index = try api.get("/", headers: accept.map { ["Accept": $0] } ?? [:])
            #expect(index.status == 200 && index.headers["Content-Type"] == "application/json", "\(accept ?? "no Accept")")
            #expect(index.json["links"]?["events"]?.stringValue == "/v1/events")
            #expect(index.headers["Vary"]?.contains("Accept") == true)
        }
    }

    @Test func everyExplorerPathIsThePageSoThatAViewCanBeReloaded() throws {
        let api = try api()
        let index = try #require(ExplorerFiles.embedded["index.html"])
        for path in ["/explore", "/explore/timeline?actor=belarus", "/explore/events/evt_x", "/explore/actors/alexander-lukashenko/edit"] {
            let page = try api.get(path)
            let same = page.body == index
            #expect(page.status == 200 && same, "\(path)")
            #expect(page.headers["Content-Security-Policy"] != nil)
        }
        #expect(try api.get("/explore/a/b/c/d").status == 404)
    }

    @Test func assetsHaveTheirTypesAndRevalidate() throws {
        let api = try api()
        let expected = ["js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8", "svg": "image/svg+xml", "html": "text/html; charset=utf-8"]
        for name in try Self.assetNames() {
            let reply = try api.get("/assets/\(name)")
            let same = reply.body == ExplorerFiles.embedded[name]
            #expect(reply.status == 200 && same, "\(name)")
            if let type = expected[String(name.split(separator: ".").last ?? "")] { #expect(reply.headers["Content-Type"] == type, "\(name)") }
            #expect(reply.headers["Cache-Control"] == "no-cache")
            let tag = try #require(reply.headers["ETag"])
            let again = try api.get("/assets/\(name)", headers: ["If-None-Match": tag])
            #expect(again.status == 304 && again.body.isEmpty && again.headers["ETag"] == tag)
        }
        let missing = try api.get("/assets/nothing.js")
        #expect(missing.status == 404 && missing.json["detail"]?.stringValue?.contains("nothing.js") == true)
    }

    /// The folder used while working on the explorer is read on every request, and only plain
    /// names are looked up in it: nothing outside it can be reached.
    @Test func aFolderIsReadOnEachRequestAndNeverLeft() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("explorer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "export const one = 1;\n".write(to: folder.appendingPathComponent("app.js"), atomically: true, encoding: .utf8)
        try "secret".write(to: folder.appendingPathComponent(".hidden"), atomically: true, encoding: .utf8)
        let api = try api(.folder(folder.path))
        #expect(try api.get("/assets/app.js").text == "export const one = 1;\n")
        try "export const one = 2;\n".write(to: folder.appendingPathComponent("app.js"), atomically: true, encoding: .utf8)
        #expect(try api.get("/assets/app.js").text == "export const one = 2;\n")
        for name in [".hidden", "..%2Fapp.js", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "app.js%00.png"] {
            #expect(try api.get("/assets/\(name)").status == 404, "\(name)")
        }
        // No index.html in this folder: the pages say so instead of failing.
        #expect(try api.get("/explore").status == 404)
    }

    /// The policy forbids inline code, so the page and modules must not need any: a script or
    /// style in the page, an `on…=` handler or a `style=` attribute would be blocked in the browser.
    @Test func thePageAndModulesNeedNothingThePolicyBlocks() throws {
        let page = String(decoding: try #require(ExplorerFiles.embedded["index.html"]), as: UTF8.self)
        #expect(page.range(of: #"<script(?![^>]*\bsrc=)[^>]*>"#, options: .regularExpression) == nil, "an inline script")
        #expect(page.range(of: #"<style"#, options: .regularExpression) == nil, "an inline style sheet")
        #expect(page.range(of: #"\s(on[a-z]+|style)\s*="#, options: .regularExpression) == nil, "an inline handler or style")
        for (name, bytes) in ExplorerFiles.embedded where name.hasSuffix(".js") {
            let source = String(decoding: bytes, as: UTF8.self)
            #expect(!source.contains("eval(") && !source.contains("new Function"), "\(name) evaluates text")
            // Text from records is put in as text: no sink that parses a string as HTML.
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "createContextualFragment"] {
                #expect(!source.contains(sink), "\(name) uses \(sink)")
            }
            // An element built with a style attribute would be blocked by the policy.
            #expect(source.range(of: #"[{,]\s*style\s*:"#, options: .regularExpression) == nil, "\(name) builds an element with a style attribute")
            #expect(source.range(of: #"setAttribute\(\s*['"](style|on[a-z]+)['"]"#, options: .regularExpression) == nil, "\(name) sets an inline style or handler")
            // Every module it imports is one of ours.
            let imports = source.matches(of: /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/).map { String($0.1) }
            if name == "app.js" { #expect(imports.contains("./api.js"), "the import pattern no longer reads app.js's imports") }
            for path in imports {
                #expect(path.hasPrefix("./") && ExplorerFiles.embedded[String(path.dropFirst(2))] != nil, "\(name) imports \(path)")
            }
        }
        // Everything the page loads is served from /assets.
        for match in page.matches(of: /(?:src|href)="(\/assets\/[^"]+)"/) {
            #expect(ExplorerFiles.embedded[String(match.1.dropFirst("/assets/".count))] != nil, "\(match.1)")
        }
    }
}
