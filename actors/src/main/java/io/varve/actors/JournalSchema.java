package io.varve.actors;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the Pekko Persistence JDBC tables on first start. Runs the DDL script shipped in
 * pekko-persistence-jdbc for the configured database ({@code schema/h2/h2-create-schema.sql} or
 * the PostgreSQL one), made idempotent (every {@code CREATE … INDEX} gets {@code IF NOT EXISTS}),
 * statement by statement with plain JDBC so a real DDL error stops the node with its message —
 * unlike the plugin's test helper, which swallows every error. Blocking: run it off the default
 * dispatcher, before the first persistent actor starts.
 */
final class JournalSchema {
    private static final Logger log = LoggerFactory.getLogger(JournalSchema.class);

    private JournalSchema() {}

    static void ensure(Config config) throws IOException, SQLException {
        Config db = config.getConfig("pekko-persistence-jdbc.shared-databases.slick");
        String profile = db.getString("profile");
        String script = profile.contains("Postgres")
                ? "schema/postgres/postgres-create-schema.sql"
                : "schema/h2/h2-create-schema.sql";
        String ddl = read(script);
        Config conn = db.getConfig("db");
        String url = conn.getString("url");
        if (url.startsWith("jdbc:h2:")
                && !url.toUpperCase(java.util.Locale.ROOT).contains("WRITE_DELAY=0")) {
            // H2 otherwise delays commits up to 500 ms: a kill -9 then loses acknowledged metadata
            log.warn("the H2 journal URL {} lacks WRITE_DELAY=0; acknowledged metadata can be lost in a crash", url);
        }
        try (Connection c = DriverManager.getConnection(
                        conn.getString("url"), conn.getString("user"), conn.getString("password"));
                Statement statement = c.createStatement()) {
            c.setAutoCommit(true);
            int executed = 0;
            for (String sql : ddl.split(";")) {
                String trimmed = idempotent(sql.trim());
                if (!trimmed.isEmpty()) {
                    statement.execute(trimmed);
                    executed++;
                }
            }
            log.debug("journal schema ensured with {} statements from {}", executed, script);
        }
    }

    static String idempotent(String sql) {
        return sql.replaceFirst(
                "(?i)^CREATE (UNIQUE )?INDEX (CONCURRENTLY )?(?!IF NOT EXISTS)", "CREATE $1INDEX $2IF NOT EXISTS ");
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
