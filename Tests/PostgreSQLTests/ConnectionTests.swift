import Testing
import PostgreSQL

@Suite(.needsPostgres) struct ConnectionTests {
    @Test func parametersAreBoundSoAnInjectionAttemptStaysData() throws {
        let db = try connect()
        try db.execute("CREATE TEMP TABLE t (name text)")
        let attack = "x'); DROP TABLE t; -- $2 \\ \" ;"
        try db.execute("INSERT INTO t VALUES ($1)", [.text(attack)])
        #expect(try db.execute("SELECT name FROM t WHERE name = $1", [.text(attack)]).map { try $0.string(0) } == [attack])
        #expect(try db.execute("SELECT count(*) FROM t WHERE name = $1", [.text("' OR '1'='1")])[0].int(0) == 0)
        #expect(try db.execute("SELECT count(*) FROM t")[0].int(0) == 1)
    }

    @Test func boundValuesRoundTripWithTheirTypes() throws {
        let db = try connect()
        let row = try db.execute("SELECT $1::bigint, $2::bigint, $3::float8, $4::bool, $5::bool, $6::bytea, $7::int, $8::float8, $9::float8",
                                 [.integer(.max), .integer(.min), .real(0.1), .bool(true), .bool(false), .bytes([0, 1, 0x7F, 0xFF]), .null,
                                  .real(-.infinity), .real(1e-300)])[0]
        #expect(try row.int(0) == Int.max && row.int(1) == Int.min)
        #expect(try row.double(2) == 0.1)
        #expect(try row.bool(3) == true && row.bool(4) == false)
        #expect(try row.bytes(5) == [0, 1, 0x7F, 0xFF])
        #expect(try row.optionalInt(6) == nil)
        #expect(try row.double(7) == -.infinity && row.double(8) == 1e-300)
        #expect(try db.execute("SELECT $1::float8", [.real(.nan)])[0].double(0).isNaN)
        // The protocol's Swift types bind as their cases.
        let values: [any PostgresBindable] = [7, Int64(8), 2.5, true, "s", [UInt8]([1]), Optional<Int>.none]
        #expect(values.map(\.postgresValue) == [.integer(7), .integer(8), .real(2.5), .bool(true), .text("s"), .bytes([1]), .null])
    }

    @Test func typedReadsConvertTheTextAndNullsReadAsNil() throws {
        let db = try connect()
        let rows = try db.execute("""
            SELECT 42::int2 AS small, 9007199254740993::int8 AS big, 2.5::float4 AS f, 12.25::numeric AS n,
                   true AS yes, NULL::int AS nothing, NULL::text AS no_text, 'x'::text AS "Mixed Case", ''::bytea AS empty
            """)
        #expect(rows.count == 1 && rows.columnCount == 9)
        let row = rows[0]
        #expect(try row.int(0) == 42 && row.int(1) == 9_007_199_254_740_993)
        #expect(try row.double(2) == 2.5 && row.double(3) == 12.25)
        #expect(try row.bool(4))
        #expect(try row.isNull(5) && row.optionalInt(5) == nil && row.optionalString(6) == nil && row.optionalBool(5) == nil)
        #expect(try row.optionalInt(0) == 42 && row.optionalDouble(3) == 12.25 && row.optionalString(7) == "x")
        #expect(try row.bytes(8) == [])
        #expect(rows.columnName(7) == "Mixed Case" && rows.columnIndex("Mixed Case") == 7 && rows.columnIndex("mixed case") == nil)
        #expect(try (0..<9).map { try row.value($0) } == [.integer(42), .integer(9_007_199_254_740_993), .real(2.5), .text("12.25"),
                                                          .bool(true), .null, .null, .text("x"), .bytes([])])
    }

    @Test func aReadOfTheWrongTypeOrOfNullFailsInsteadOfGuessing() throws {
        let db = try connect()
        let row = try db.execute("SELECT NULL::int AS n, 'abc'::text AS s, 2.5::float8 AS f")[0]
        #expect { try row.int(0) } throws: { ($0 as? PostgresError)?.message.contains("\"n\") is NULL") == true }
        #expect { try row.string(0) } throws: { ($0 as? PostgresError)?.kind == .client }
        #expect { try row.int(1) } throws: { ($0 as? PostgresError)?.message.contains("holds \"abc\", not an integer") == true }
        #expect { try row.int(2) } throws: { ($0 as? PostgresError)?.kind == .client }
        #expect { try row.bool(1) } throws: { ($0 as? PostgresError)?.kind == .client }
        #expect { try row.string(3) } throws: { ($0 as? PostgresError)?.message.contains("out of range") == true }
    }

    @Test func emptyTextStaysEmptyNotNull() throws {
        let db = try connect()
        let row = try db.execute("SELECT $1::text IS NULL, length($1::text), $1::text", [.text("")])[0]
        #expect(try row.bool(0) == false && row.int(1) == 0 && row.optionalString(2) == "")
    }

    @Test func unicodeTextRoundTripsWhole() throws {
        let db = try connect()
        try db.execute("CREATE TEMP TABLE t (i int, s text)")
        let texts = ["Лукашенко", "Ségolène", "Se\u{301}gole\u{300}ne", "北京市", "עברית", "👩🏽‍💻 🇧🇾", "\u{FEFF}bom", "tab\tnew\nline"]
        for (index, text) in texts.enumerated() {
            try db.execute("INSERT INTO t VALUES ($1, $2)", [.integer(Int64(index)), .text(text)])
        }
        let rows = try db.execute("SELECT s, length(s), octet_length(s) FROM t ORDER BY i")
        #expect(try rows.map { try $0.string(0) } == texts)
        // The server counts the same characters and bytes: nothing was re-encoded on the way.
        #expect(try rows.map { try $0.int(1) } == texts.map(\.unicodeScalars.count))
        #expect(try rows.map { try $0.int(2) } == texts.map(\.utf8.count))
        #expect(try db.execute("SELECT count(*) FROM t WHERE s = $1", [.text("Лукашенко")])[0].int(0) == 1)
    }

    /// libpq reads a text parameter up to its first NUL, so it would store less than was given.
    @Test func textWithANULIsRefusedNotTruncated() throws {
        let db = try connect()
        #expect { try db.execute("SELECT $1::text", [.text("before\u{0}after")]) } throws: { error in
            let error = error as? PostgresError
            return error?.kind == .client && error?.message.contains("$1") == true
        }
        #expect(try db.execute("SELECT 1")[0].int(0) == 1)
    }

    @Test func errorsCarrySQLStateAndTheConnectionStaysUsable() throws {
        let db = try connect()
        do {
            try db.execute("SELEC 1")
            Issue.record("bad syntax accepted")
        } catch let error as PostgresError {
            #expect(error.sqlState == "42601" && error.kind == .server && error.severity == "ERROR")
            #expect(error.position == 1 && error.sql == "SELEC 1" && !error.isConnectionFailure)
            #expect(error.description == "PostgreSQL error 42601: syntax error at or near \"SELEC\" (at character 1) (in: SELEC 1)")
        }
        #expect(try db.execute("SELECT 1")[0].int(0) == 1)

        try db.execute("CREATE TEMP TABLE t (id text PRIMARY KEY)")
        try db.execute("INSERT INTO t VALUES ($1)", [.text("a")])
        do {
            try db.execute("INSERT INTO t VALUES ($1)", [.text("a")])
            Issue.record("duplicate accepted")
        } catch let error as PostgresError {
            #expect(error.isUniqueViolation && error.sqlState == "23505" && error.constraint == "t_pkey")
            #expect(error.detail == "Key (id)=(a) already exists.")
            #expect(error.description.contains("23505") && error.description.contains("Detail: Key (id)=(a) already exists."))
        }
        #expect(try db.execute("SELECT count(*) FROM t")[0].int(0) == 1)
    }

    /// The server answers a wrong number of parameters with 08P01, a "connection exception"
    /// class, though the connection is fine; it must not pass for a lost connection.
    @Test func aWrongParameterCountIsNotAConnectionFailure() throws {
        let db = try connect()
        #expect { try db.execute("SELECT $1::int + $2::int", [.integer(1)]) } throws: { error in
            let error = error as? PostgresError
            return error?.sqlState == "08P01" && error?.isConnectionFailure == false
        }
        #expect(try db.execute("SELECT $1::int + $2::int", [.integer(1), .integer(2)])[0].int(0) == 3)
    }

    @Test func affectedRowsAndTheCommandTagSayWhatChanged() throws {
        let db = try connect()
        try db.execute("CREATE TEMP TABLE t (i int)")
        #expect(try db.execute("INSERT INTO t SELECT generate_series(1, 5)").affectedRows == 5)
        let update = try db.execute("UPDATE t SET i = i + 1 WHERE i > $1", [.integer(2)])
        #expect(update.affectedRows == 3 && update.commandTag == "UPDATE 3")
        #expect(try db.execute("SELECT * FROM t").affectedRows == 5)
        #expect(try db.execute("CREATE INDEX ON t (i)").affectedRows == 0)
    }

    @Test func aScriptRunsSeveralStatements() throws {
        let db = try connect()
        let last = try db.executeScript("CREATE TEMP TABLE t (i int); INSERT INTO t VALUES (1), (2); SELECT sum(i) FROM t")
        #expect(try last[0].int(0) == 3)
        // Parameters go through `execute`, which takes one statement only.
        #expect(throws: PostgresError.self) { try db.execute("SELECT 1; SELECT 2") }
    }

    /// COPY would leave the connection in COPY mode, useless to the next caller.
    @Test func aCopyThroughExecuteIsRefusedAndTheConnectionStaysUsable() throws {
        let db = try connect()
        try db.execute("CREATE TEMP TABLE t (i int)")
        #expect { try db.execute("COPY (SELECT 1) TO STDOUT") } throws: { ($0 as? PostgresError)?.kind == .client }
        #expect { try db.execute("COPY t FROM STDIN") } throws: { ($0 as? PostgresError)?.kind == .client }
        #expect(try db.execute("SELECT count(*) FROM t")[0].int(0) == 0)
        #expect(db.transactionStatus == .idle)
    }

    @Test func preparedStatementsRunWithBoundValues() throws {
        let db = try connect()
        try db.execute("CREATE TEMP TABLE t (i int, s text)")
        try db.prepare(name: "insert_t", sql: "INSERT INTO t VALUES ($1, $2)")
        for i in 0..<50 { try db.executePrepared("insert_t", [.integer(Int64(i)), .text("row \(i) ' --")]) }
        try db.prepare(name: "find_t", sql: "SELECT s FROM t WHERE i = $1")
        #expect(try db.executePrepared("find_t", [.integer(7)]).map { try $0.string(0) } == ["row 7 ' --"])
        #expect(try db.execute("SELECT count(*) FROM t")[0].int(0) == 50)
        // The same SQL under the same name again is a no-op; other SQL under it is refused.
        try db.prepare(name: "find_t", sql: "SELECT s FROM t WHERE i = $1")
        #expect { try db.prepare(name: "find_t", sql: "SELECT 1") } throws: { ($0 as? PostgresError)?.sqlState == "42P05" }
        #expect { try db.executePrepared("never_prepared") } throws: { ($0 as? PostgresError)?.sqlState == "26000" }
    }

    /// A terminated backend shows as broken without a query; after a reset the session is new
    /// and the connection's prepared statements are prepared again on first use.
    @Test func aResetConnectionPreparesItsStatementsAgain() throws {
        let db = try connect()
        try db.prepare(name: "double", sql: "SELECT $1::int * 2")
        #expect(try db.executePrepared("double", [.integer(21)])[0].int(0) == 42)
        let oldPID = db.backendPID
        try terminateBackends([oldPID])
        #expect(db.isBroken)
        #expect { try db.execute("SELECT 1") } throws: { ($0 as? PostgresError)?.isConnectionFailure == true }
        try db.reset()
        #expect(!db.isBroken && db.backendPID != oldPID)
        #expect(try db.executePrepared("double", [.integer(5)])[0].int(0) == 10)
    }

    @Test func aConnectionThatCannotBeMadeIsAConnectionFailure() throws {
        #expect { try Connection(url: "postgres://postgres@127.0.0.1:1/postgres") } throws: { error in
            let error = error as? PostgresError
            return error?.isConnectionFailure == true && error?.message.contains("port 1 failed") == true
        }
    }
}
