package io.varve.actors;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The founding lease and the incarnation of a cluster, one row per cluster id in the shared journal
 * database:
 *
 * <pre>
 *   varve_cluster_lease(cluster_id PK, holder = cluster address of the oldest node, renewed_at = db time,
 *                       incarnation = how many times a cluster was founded on this journal,
 *                       holder_uid = the holder's Pekko incarnation uid)
 * </pre>
 *
 * The oldest node of a running cluster renews it every {@code varve.cluster.lease.renew-interval}
 * ({@link #renew}); a node may start a new cluster (join itself) only when {@link #tryFound} takes
 * the row: absent, older than {@code expire-after}, or already held by this node's own address (its
 * previous incarnation, which cannot still run on the same port). So a node started without seed
 * nodes next to a running cluster, or with seeds that do not answer, refuses to form a second
 * cluster on the same journal. Times are the database's clock, so node clocks do not matter.
 *
 * <p>The lease alone is a wall-time lease, which no pause of its holder respects; the incarnation
 * is the fence: a node that joined itself {@link #found}s the cluster by raising the incarnation in
 * one statement, only if it still holds the lease; the renewal and every member's {@link #read}
 * compare the incarnation their cluster was founded with, so the members of a superseded cluster
 * find out at their next check (see {@code docs/cluster.md}, "The cluster incarnation").
 *
 * <p>Blocking JDBC: call it off the default dispatcher. Stateless apart from its settings; one
 * connection per call (a call a second).
 */
final class ClusterLease {
    static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS varve_cluster_lease ("
            + "cluster_id VARCHAR(64) PRIMARY KEY, holder VARCHAR(255) NOT NULL, renewed_at TIMESTAMPTZ NOT NULL)";
    /** The incarnation columns, added to a table created by an earlier version too. */
    static final String[] ADD_COLUMNS = {
        "ALTER TABLE varve_cluster_lease ADD COLUMN IF NOT EXISTS incarnation BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE varve_cluster_lease ADD COLUMN IF NOT EXISTS holder_uid BIGINT NOT NULL DEFAULT 0"
    };

    private static final String TRY_FOUND =
            "INSERT INTO varve_cluster_lease(cluster_id, holder, holder_uid, renewed_at) "
                    + "VALUES (?, ?, ?, now()) ON CONFLICT (cluster_id) DO UPDATE SET holder = EXCLUDED.holder, "
                    + "holder_uid = EXCLUDED.holder_uid, renewed_at = now() WHERE varve_cluster_lease.holder = EXCLUDED.holder "
                    + "OR varve_cluster_lease.renewed_at < now() - make_interval(secs => ?)";
    private static final String FOUND = "UPDATE varve_cluster_lease SET incarnation = incarnation + 1, holder_uid = ?, "
            + "renewed_at = now() WHERE cluster_id = ? AND holder = ? RETURNING incarnation";
    private static final String RENEW = "UPDATE varve_cluster_lease SET holder = ?, holder_uid = ?, renewed_at = now() "
            + "WHERE cluster_id = ? AND incarnation = ?";
    private static final String READ =
            "SELECT holder, holder_uid, EXTRACT(EPOCH FROM (now() - renewed_at)) * 1000, incarnation "
                    + "FROM varve_cluster_lease WHERE cluster_id = ?";

    /** Who holds the lease (address and Pekko uid), how long ago it was renewed, and the incarnation. */
    record Holder(String address, long uid, long ageMs, long incarnation) {}

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
    boolean tryFound(String address, long uid) throws SQLException {
        try (Connection c = connect();
                PreparedStatement statement = c.prepareStatement(TRY_FOUND)) {
            statement.setString(1, clusterId);
            statement.setString(2, address);
            statement.setLong(3, uid);
            statement.setDouble(4, expireAfter.toMillis() / 1000.0);
            return statement.executeUpdate() == 1;
        }
    }

    /**
     * Founds a cluster: raises the incarnation, atomically with the check that this node ({@code
     * address}) still holds the lease, and returns the new incarnation; empty when another node took
     * the lease in the meantime (this node must not serve). Every later founding supersedes it.
     */
    OptionalLong found(String address, long uid) throws SQLException {
        try (Connection c = connect();
                PreparedStatement statement = c.prepareStatement(FOUND)) {
            statement.setLong(1, uid);
            statement.setString(2, clusterId);
            statement.setString(3, address);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? OptionalLong.of(rows.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /**
     * The oldest node of the running cluster keeps the lease, if its cluster is still the current
     * incarnation; false when a later founding superseded it (or the row is gone).
     */
    boolean renew(String address, long uid, long incarnation) throws SQLException {
        try (Connection c = connect();
                PreparedStatement statement = c.prepareStatement(RENEW)) {
            statement.setString(1, address);
            statement.setLong(2, uid);
            statement.setString(3, clusterId);
            statement.setLong(4, incarnation);
            return statement.executeUpdate() == 1;
        }
    }

    Optional<Holder> holder() throws SQLException {
        try (Connection c = connect();
                PreparedStatement statement = c.prepareStatement(READ)) {
            statement.setString(1, clusterId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next()
                        ? Optional.of(new Holder(rows.getString(1), rows.getLong(2), rows.getLong(3), rows.getLong(4)))
                        : Optional.empty();
            }
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(journal.effectiveUrl(dataDir), journal.effectiveUser(), journal.password());
    }
}
