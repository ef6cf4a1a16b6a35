package io.varve.actors;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the Pekko Persistence JDBC tables on first start. Runs the DDL script shipped in
 * pekko-persistence-jdbc for the configured database ({@code schema/h2/h2-create-schema.sql} or
 * the PostgreSQL one), made idempotent (see {@link #idempotent}),
 * statement by statement with plain JDBC so a real DDL error stops the node with its message —
 * unlike the plugin's test helper, which swallows every error. On PostgreSQL the whole script runs
 * under a session advisory lock, so nodes of a cluster starting together create the tables once
 * ({@code CREATE TABLE IF NOT EXISTS} alone can fail on a concurrent creation), and the founding
 * lease table of {@link ClusterLease} is created with it. Blocking: run it off the default
 * dispatcher, before the first persistent actor starts.
 */
final class JournalSchema {
    private static final Logger log = LoggerFactory.getLogger(JournalSchema.class);
    /** The advisory lock key all Varve nodes take around the DDL ("varve" in ASCII). */
    private static final long SCHEMA_LOCK = 0x7661727665L;

    private JournalSchema() {}

    static void ensure(JournalSettings journal, Path dataDir) throws IOException, SQLException {
        String script =
                journal.isShared() ? "schema/postgres/postgres-create-schema.sql" : "schema/h2/h2-create-schema.sql";
        String ddl = read(script);
        String url = journal.effectiveUrl(dataDir);
        if (url.startsWith("jdbc:h2:") && !url.toUpperCase(Locale.ROOT).contains("WRITE_DELAY=0")) {
            // H2 otherwise delays commits up to 500 ms: a kill -9 then loses acknowledged metadata
            log.warn("the H2 journal URL {} lacks WRITE_DELAY=0; acknowledged metadata can be lost in a crash", url);
        }
        try (Connection c = DriverManager.getConnection(url, journal.effectiveUser(), journal.password());
                Statement statement = c.createStatement()) {
            c.setAutoCommit(true);
            if (journal.isShared()) {
                statement.execute("SELECT pg_advisory_lock(" + SCHEMA_LOCK + ")");
            }
            try {
                int executed = 0;
                for (String sql : ddl.split(";")) {
                    String trimmed = idempotent(sql.trim());
                    if (!trimmed.isEmpty()) {
                        statement.execute(trimmed);
                        executed++;
                    }
                }
                if (journal.isShared()) {
                    statement.execute(ClusterLease.CREATE_TABLE);
                    for (String column : ClusterLease.ADD_COLUMNS) {
                        statement.execute(column);
                    }
                }
                log.debug("journal schema ensured with {} statements from {}", executed, script);
            } finally {
                if (journal.isShared()) {
                    statement.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK + ")");
                }
            }
        }
    }

    /**
     * Every {@code CREATE … INDEX} gets {@code IF NOT EXISTS}, and loses {@code CONCURRENTLY}: on
     * PostgreSQL a concurrent index build waits for every other open transaction, and a node waiting
     * for the advisory lock is one, so two nodes starting together would deadlock (the tables are
     * empty when created, so a plain build costs nothing).
     */
    static String idempotent(String sql) {
        return sql.replaceFirst(
                "(?i)^CREATE (UNIQUE )?INDEX (CONCURRENTLY )?(?!IF NOT EXISTS)", "CREATE $1INDEX IF NOT EXISTS ");
    }

    private static String read(String resource) throws IOException {
        try (InputStream in = JournalSchema.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException(resource + " not found in pekko-persistence-jdbc");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
