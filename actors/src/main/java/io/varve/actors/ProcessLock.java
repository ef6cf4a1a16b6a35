package io.varve.actors;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;

/**
 * The lock that says a node's process is alive: a PostgreSQL session-level advisory lock, keyed by
 * the node's Pekko incarnation uid, held on a connection of its own to the shared journal database.
 * PostgreSQL releases such a lock only when the session ends, and a session ends the moment its
 * client's process dies (the kernel closes the socket and the server's backend reads the end of
 * it). A paused process keeps its lock, a partitioned one too while it still reaches the database.
 * So "the key is no longer held" means "that process is gone" ({@link DeadProcesses}).
 *
 * <p>{@link #poll} takes the lock on a new connection when there is none (the first call) or the
 * one it had broke (at once, in the same call), and answers which incarnations hold theirs now. Blocking JDBC: call it off
 * the default dispatcher, one call at a time ({@link DeadProcessCheck} does).
 */
final class ProcessLock implements AutoCloseable {
    private static final String TAKE = "SELECT pg_try_advisory_lock(?)";
    /**
     * The bigint advisory locks held in this database. PostgreSQL shows a bigint key's high half as
     * {@code classid} and its low half as {@code objid} (both unsigned) with {@code objsubid} 1.
     */
    private static final String HELD = "SELECT classid::bigint, objid::bigint FROM pg_locks "
            + "WHERE locktype = 'advisory' AND objsubid = 1 AND granted "
            + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

    private static final int QUERY_TIMEOUT_SECONDS = 5;

    /** What one poll saw: the keys held, and when this node's current lock session began. */
    record Held(Set<Long> keys, long sessionStartNanos) {}

    private final JournalSettings journal;
    private final Path dataDir;
    private final long key;
    private Connection connection;
    private long sessionStartNanos;

    ProcessLock(JournalSettings journal, Path dataDir, long key) {
        this.journal = journal;
        this.dataDir = dataDir;
        this.key = key;
    }

    Held poll() throws SQLException {
        if (connection != null) {
            try {
                return new Held(held(connection), sessionStartNanos);
            } catch (SQLException e) {
                // the session ended (the database restarted, or ended this backend): take the lock
                // again at once, so that the others do not see it missing for two reads
                close();
            }
        }
        try {
            open();
            return new Held(held(connection), sessionStartNanos);
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    private void open() throws SQLException {
        Connection c =
                DriverManager.getConnection(journal.effectiveUrl(dataDir), journal.effectiveUser(), journal.password());
        try (PreparedStatement take = c.prepareStatement(TAKE)) {
            take.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            take.setLong(1, key);
            try (ResultSet taken = take.executeQuery()) {
                // false: a session of this incarnation that has not ended yet still holds it, which
                // says the same to the others
                taken.next();
            }
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        connection = c;
        sessionStartNanos = System.nanoTime();
    }

    private static Set<Long> held(Connection c) throws SQLException {
        Set<Long> keys = new HashSet<>();
        try (PreparedStatement statement = c.prepareStatement(HELD)) {
            statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    keys.add((rows.getLong(1) << 32) | rows.getLong(2));
                }
            }
        }
        return keys;
    }

    /** Ends the session, and with it the lock. */
    @Override
    public void close() {
        Connection c = connection;
        connection = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // the session is gone either way
            }
        }
    }
}
