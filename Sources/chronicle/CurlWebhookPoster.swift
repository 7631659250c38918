import ChronicleAPI
import HTTPClient

/// Webhooks are delivered with libcurl's client.
struct CurlWebhookPoster: WebhookPoster {
    let client = CurlClient()

    func post(_ url: String, headers: [(String, String)], body: [UInt8], timeout: Double) -> (status: Int?, error: String?, seconds: Double) {
        let outcome = client.post(url, headers: headers, body: body, timeout: timeout)
        return (outcome.status, outcome.error, outcome.seconds)
    }
}
