package io.varve.actors;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * The founding lease of a cluster, one row per cluster id in the shared journal database:
 *
 * <pre>
 *   varve_cluster_lease(cluster_id PK, holder = cluster address of the oldest node, renewed_at = db time)
 * </pre>
 *
 * The oldest node of a running cluster renews it every {@code varve.cluster.lease.renew-interval}
 * ({@link #renew}); a node may start a new cluster (join itself) only when {@link #tryFound} takes
 * the row: absent, older than {@code expire-after}, or already held by this node's own address (its
 * previous incarnation, which cannot still run on the same port). So a node started without seed
 * nodes next to a running cluster, or with seeds that do not answer, refuses to form a second
 * cluster on the same journal. Times are the database's clock, so node clocks do not matter.
 *
 * <p>Blocking JDBC: call it off the default dispatcher. Stateless apart from its settings; one
 * connection per call (a call a second).
 */
final class ClusterLease {
    static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS varve_cluster_lease ("
            + "cluster_id VARCHAR(64) PRIMARY KEY, holder VARCHAR(255) NOT NULL, renewed_at TIMESTAMPTZ NOT NULL)";

    private static final String TRY_FOUND = "INSERT INTO varve_cluster_lease(cluster_id, holder, renewed_at) "
            + "VALUES (?, ?, now()) ON CONFLICT (cluster_id) DO UPDATE SET holder = EXCLUDED.holder, "
            + "renewed_at = now() WHERE varve_cluster_lease.holder = EXCLUDED.holder "
            + "OR varve_cluster_lease.renewed_at < now() - make_interval(secs => ?)";
    private static final String RENEW = "INSERT INTO varve_cluster_lease(cluster_id, holder, renewed_at) "
            + "VALUES (?, ?, now()) ON CONFLICT (cluster_id) DO UPDATE SET holder = EXCLUDED.holder, renewed_at = now()";
    private static final String READ = "SELECT holder, EXTRACT(EPOCH FROM (now() - renewed_at)) * 1000 "
            + "FROM varve_cluster_lease WHERE cluster_id = ?";

    /** Who holds the lease and how long ago it was renewed. */
    record Holder(String address, long ageMs) {}

    private final JournalSettings journal;
    private final Path dataDir;
    private final String clusterId;
    private final Duration expireAfter;

    ClusterLease(JournalSettings journal, Path dataDir, String clusterId, Duration expireAfter) {
        this.journal = journal;
        this.dataDir = dataDir;
        this.clusterId = clusterId;
        this.expireAfter = expireAfter;
    }

    /** Takes the lease to start a new cluster, if it is free (see the class comment). */
    boolean tryFound(String address) throws SQLException {
        try (Connection c = connect();
                PreparedStatement statement = c.prepareStatement(TRY_FOUND)) {
            statement.setString(1, clusterId);
            statement.setString(2, address);
            statement.setDouble(3, expireAfter.toMillis() / 1000.0);
            return statement.executeUpdate() == 1;
        }
    }

    /** The oldest node of the running cluster keeps the lease. */
    void renew(String address) throws SQLException {
        try (Connection c = connect();
                PreparedStatement statement = c.prepareStatement(RENEW)) {
            statement.setString(1, clusterId);
            statement.setString(2, address);
            statement.executeUpdate();
        }
    }

    Optional<Holder> holder() throws SQLException {
        try (Connection c = connect();
                PreparedStatement statement = c.prepareStatement(READ)) {
            statement.setString(1, clusterId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(new Holder(rows.getString(1), rows.getLong(2))) : Optional.empty();
            }
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(journal.effectiveUrl(dataDir), journal.effectiveUser(), journal.password());
    }
}
