import ArgumentParser
import Chronicle

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API tokens (stored only as SHA-256 hashes).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token and print its secret (shown once).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "A name that says who or what uses the token.") var name: String
        @Option(help: "read, write or admin.") var scope: TokenScope = .write

        func run() throws {
            let (token, secret) = try openStore(database).repositories.tokens.create(name: name, scope: scope)
            warn("created token '\(token.name)' (\(token.id)) with the \(token.scope.rawValue) scope; store the secret now, it is not shown again:")
            print(secret)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try database.requireExistingDatabase()
            for token in try openStore(database).repositories.tokens.list() {
                let state = token.revokedAt.map { "revoked \($0)" } ?? "active"
                print("\(token.id)  \(padded(token.scope.rawValue, 6))  \(token.name)  created \(token.createdAt)  \(state)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id or name.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The token's id or name.") var token: String

        func run() throws {
            try database.requireExistingDatabase()
            let revoked = try openStore(database).repositories.tokens.revoke(token)
            print("revoked \(revoked.id) (\(revoked.name))")
        }
    }
}

extension TokenScope: ExpressibleByArgument {}
