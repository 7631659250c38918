import Chronicle
import PostgreSQL

/// A full-text query in the syntax SQLite's FTS5 reads, as far as the API documents it (words,
/// "exact phrases", OR, NOT, implicit AND, parentheses, prefix*), parsed here and turned into a
/// `tsquery` expression whose every word or phrase is a bound parameter: the user's text never
/// reaches the statement, and never reaches `to_tsquery`'s own syntax unescaped. What FTS5
/// refuses (an unbalanced quote, a bare operator, `foo:bar`, a lone `*`) is refused here too,
/// as a validation error on `q`.
///
/// Precedence as in FTS5: NOT binds tighter than AND (or juxtaposition), AND tighter than OR.
struct SearchQuery {
    indirect enum Node {
        case phrase(String, prefix: Bool)
        case and(Node, Node)
        case or(Node, Node)
        /// Left AND NOT right.
        case not(Node, Node)
    }

    let root: Node

    init(parsing text: String) throws {
        var parser = Parser(text: text)
        do {
            root = try parser.parse()
        } catch let error as SyntaxError {
            throw ChronicleError.validation([FieldError("q", "'\(text)' is not a valid search (\(error.message)); use words, \"exact phrases\", OR, NOT, and prefix*")])
        }
    }

    /// The query as SQL yielding a tsquery, its words bound to `p`.
    func tsquery(_ p: inout Parameters) -> String { Self.sql(root, &p) }

    private static func sql(_ node: Node, _ p: inout Parameters) -> String {
        let configuration = "'\(EngineDifferences.searchConfiguration)'::regconfig"
        switch node {
        case .phrase(let text, prefix: false):
            return "phraseto_tsquery(\(configuration), \(p.bind(text)))"
        case .phrase(let text, prefix: true):
            // to_tsquery's own syntax: each word a quoted lexeme, the last a prefix.
            let words = text.split(whereSeparator: { $0.isWhitespace }).map(quotedLexeme)
            return "to_tsquery(\(configuration), \(p.bind(words.joined(separator: " <-> ") + ":*")))"
        case .and(let left, let right): return "(\(sql(left, &p)) && \(sql(right, &p)))"
        case .or(let left, let right): return "(\(sql(left, &p)) || \(sql(right, &p)))"
        case .not(let left, let right): return "(\(sql(left, &p)) && !!\(sql(right, &p)))"
        }
    }

    /// A word as a quoted lexeme of to_tsquery's syntax: `'it''s'`, backslashes doubled.
    private static func quotedLexeme(_ word: Substring) -> String {
        var quoted = "'"
        for character in word {
            if character == "'" || character == "\\" { quoted.append(character) }
            quoted.append(character)
        }
        return quoted + "'"
    }

    struct SyntaxError: Error { let message: String }

    private enum Token: Equatable {
        case word(String), string(String), star, open, close, and, or, not
    }

    private struct Parser {
        var tokens: [Token] = []
        var index = 0
        var tokenizeError: SyntaxError?

        init(text: String) {
            do { tokens = try Self.tokenize(text) } catch { tokenizeError = error as? SyntaxError }
        }

        mutating func parse() throws -> Node {
            if let tokenizeError { throw tokenizeError }
            guard !tokens.isEmpty else { throw SyntaxError(message: "empty query") }
            let node = try parseOr()
            guard index == tokens.count else { throw SyntaxError(message: "unexpected \(describe(tokens[index]))") }
            return node
        }

        private var current: Token? { index < tokens.count ? tokens[index] : nil }

        private mutating func parseOr() throws -> Node {
            var left = try parseAnd()
            while current == .or {
                index += 1
                left = .or(left, try parseAnd())
            }
            return left
        }

        private mutating func parseAnd() throws -> Node {
            var left = try parseNot()
            while let token = current {
                if token == .and {
                    index += 1
                } else if !startsPrimary(token) {
                    break
                }
                left = .and(left, try parseNot())
            }
            return left
        }

        private mutating func parseNot() throws -> Node {
            var left = try parsePrimary()
            while current == .not {
                index += 1
                left = .not(left, try parsePrimary())
            }
            return left
        }

        private mutating func parsePrimary() throws -> Node {
            guard let token = current else { throw SyntaxError(message: "the query ends where a word or phrase was expected") }
            index += 1
            switch token {
            case .word(let text), .string(let text):
                if token == .word("NEAR"), current == .open {
                    throw SyntaxError(message: "NEAR groups are not supported here; use a \"phrase\" or words joined by AND")
                }
                if current == .star {
                    index += 1
                    return .phrase(text, prefix: true)
                }
                return .phrase(text, prefix: false)
            case .open:
                let inner = try parseOr()
                guard current == .close else { throw SyntaxError(message: "a ( is not closed") }
                index += 1
                return inner
            default:
                throw SyntaxError(message: "unexpected \(describe(token))")
            }
        }

        private func startsPrimary(_ token: Token) -> Bool {
            switch token {
            case .word, .string, .open: return true
            default: return false
            }
        }

        private func describe(_ token: Token) -> String {
            switch token {
            case .word(let text): return "'\(text)'"
            case .string(let text): return "\"\(text)\""
            case .star: return "*"
            case .open: return "("
            case .close: return ")"
            case .and: return "AND"
            case .or: return "OR"
            case .not: return "NOT"
            }
        }

        /// FTS5's barewords: ASCII letters, digits and `_`, 0x1A, and anything not ASCII;
        /// `"strings"` with `""` for a quote; `*`, `(` and `)`; other ASCII punctuation is refused.
        private static func tokenize(_ text: String) throws -> [Token] {
            var tokens: [Token] = []
            let scalars = Array(text.unicodeScalars)
            var i = 0
            func isBareword(_ s: Unicode.Scalar) -> Bool {
                s.value >= 0x80 || s.value == 0x1A || s == "_" || ("0"..."9").contains(s) || ("a"..."z").contains(s) || ("A"..."Z").contains(s)
            }
            while i < scalars.count {
                let s = scalars[i]
                switch s {
                case " ", "\t", "\n", "\r":
                    i += 1
                case "\"":
                    var content = String.UnicodeScalarView()
                    i += 1
                    var closed = false
                    while i < scalars.count {
                        if scalars[i] == "\"" {
                            if i + 1 < scalars.count && scalars[i + 1] == "\"" {
                                content.append("\"")
                                i += 2
                                continue
                            }
                            closed = true
                            i += 1
                            break
                        }
                        content.append(scalars[i])
                        i += 1
                    }
                    guard closed else { throw SyntaxError(message: "a \" is not closed") }
                    tokens.append(.string(String(content)))
                case "*": tokens.append(.star); i += 1
                case "(": tokens.append(.open); i += 1
                case ")": tokens.append(.close); i += 1
                default:
                    guard isBareword(s) else { throw SyntaxError(message: "'\(Character(s))' is not part of the query syntax") }
                    var word = String.UnicodeScalarView()
                    while i < scalars.count && isBareword(scalars[i]) {
                        word.append(scalars[i])
                        i += 1
                    }
                    let text = String(word)
                    switch text {
                    case "AND": tokens.append(.and)
                    case "OR": tokens.append(.or)
                    case "NOT": tokens.append(.not)
                    default: tokens.append(.word(text))
                    }
                }
            }
            return tokens
        }
    }
}
