package io.varve.actors;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * Where the journals of the controller and the group coordinators live, from {@code varve.journal}:
 * an embedded H2 file in the data directory (a single node, the default) or a PostgreSQL database
 * every node of a cluster shares. Turned into pekko-persistence-jdbc's settings by {@link
 * PekkoConfig}.
 *
 * @param url the JDBC URL; empty for the embedded H2 journal
 * @param user database user
 * @param password database password
 * @param maxConnections connections in the pool (and threads running the journal's queries)
 * @param inMemory no database: the journals and snapshots live in the node's memory and die with it
 *     ({@code io.varve.actors.journal}); for a single node on a temporary data directory
 */
public record JournalSettings(String url, String user, String password, int maxConnections, boolean inMemory) {

    public JournalSettings {
        if (!url.isEmpty() && !url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException(
                    "varve.journal.url must be a jdbc:postgresql: or jdbc:h2: URL, got '" + url + "'");
        }
        if (maxConnections <= 0) {
            throw new IllegalArgumentException("varve.journal.max-connections must be positive, got " + maxConnections);
        }
        if (inMemory && !url.isEmpty()) {
            throw new IllegalArgumentException(
                    "varve.journal.in-memory = on keeps no database, but varve.journal.url is '" + url + "'");
        }
    }

    public static JournalSettings fromConfig(Config config) {
        Config c = config.getConfig("varve.journal");
        return new JournalSettings(
                c.getString("url"),
                c.getString("user"),
                c.getString("password"),
                c.getInt("max-connections"),
                c.getBoolean("in-memory"));
    }

    /** True for PostgreSQL: a journal the nodes of a cluster share. */
    public boolean isShared() {
        return url.startsWith("jdbc:postgresql:");
    }

    /**
     * The URL to connect to. The embedded journal lives in {@code <dataDir>/meta/journal};
     * WRITE_DELAY=0 makes H2 write each commit before it returns, so metadata a client was told
     * about survives kill -9 (H2's default delays writes by up to 500 ms).
     */
    public String effectiveUrl(Path dataDir) {
        if (url.isEmpty()) {
            return "jdbc:h2:file:" + dataDir.resolve("meta").resolve("journal") + ";DB_CLOSE_DELAY=-1;WRITE_DELAY=0";
        }
        return url;
    }

    public String effectiveUser() {
        return url.isEmpty() && user.isEmpty() ? "sa" : user;
    }

    /** The Slick profile pekko-persistence-jdbc picks its SQL dialect (and schema script) by. */
    public String slickProfile() {
        return isShared() ? "slick.jdbc.PostgresProfile$" : "slick.jdbc.H2Profile$";
    }

    public String driver() {
        return isShared() ? "org.postgresql.Driver" : "org.h2.Driver";
    }
}
