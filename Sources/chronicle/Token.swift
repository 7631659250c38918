import ArgumentParser

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create, list and revoke API tokens.")
}
