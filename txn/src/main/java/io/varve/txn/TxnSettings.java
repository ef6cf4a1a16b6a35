package io.varve.txn;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The transaction coordinator's settings, from {@code varve.txn} in {@code reference.conf}.
 *
 * @param transactionVersion the finalized {@code transaction.version} feature ApiVersions
 *     advertises (2: KIP-890 part 2, which Kafka 4 clients then use; 0 or 1: KIP-98 only)
 * @param maxTimeout {@code transaction.max.timeout.ms}: the longest {@code transaction.timeout.ms}
 *     a producer may ask for
 * @param idExpiration {@code transactional.id.expiration.ms}: an idle id is forgotten after this
 * @param requestTimeout how long the coordinator waits for a partition leader or group coordinator
 *     to answer a marker, and a partition leader for the coordinator to verify an append
 * @param coordinatorAskTimeout how long a partition leader or the transport waits for a coordinator
 *     entity before answering a retriable error (below clients' {@code request.timeout.ms}, so a
 *     coordinator lost with its node costs a retry, not the client's request timeout)
 * @param markerRetryBackoff the wait before markers that failed with a retriable error are sent
 *     again
 * @param addPartitionsRetryBackoff with transaction version 2, how long a leader waits before asking
 *     again when the coordinator answers CONCURRENT_TRANSACTIONS ({@code
 *     add.partitions.to.txn.retry.backoff.ms})
 * @param addPartitionsRetryTimeout how long a leader keeps asking ({@code
 *     add.partitions.to.txn.retry.backoff.max.ms})
 * @param verification whether leaders check transactional appends with the coordinator ({@code
 *     transaction.partition.verification.enable}; version 2 always adds partitions this way)
 * @param deadlineRetryInterval how soon the registry pokes an id again whose deadline passed
 *     without the entity reporting back
 * @param completionLinger with transaction version 2, how long a transaction whose markers are written
 *     waits for the next transaction's first add before its completion is persisted alone
 * @param snapshotEvery events between snapshots of a coordinator entity
 * @param readJournalPluginId the read journal listing transactional ids on start
 */
public record TxnSettings(
        short transactionVersion,
        Duration maxTimeout,
        Duration idExpiration,
        Duration requestTimeout,
        Duration coordinatorAskTimeout,
        Duration markerRetryBackoff,
        Duration addPartitionsRetryBackoff,
        Duration addPartitionsRetryTimeout,
        boolean verification,
        Duration deadlineRetryInterval,
        Duration completionLinger,
        int snapshotEvery,
        String readJournalPluginId) {

    public static TxnSettings fromConfig(Config config) {
        Config c = config.getConfig("varve.txn");
        int version = c.getInt("transaction-version");
        if (version < 0 || version > 2) {
            throw new IllegalArgumentException("varve.txn.transaction-version must be 0, 1 or 2, not " + version);
        }
        return new TxnSettings(
                (short) version,
                c.getDuration("max-timeout"),
                c.getDuration("transactional-id-expiration"),
                c.getDuration("request-timeout"),
                c.getDuration("coordinator-ask-timeout"),
                c.getDuration("marker-retry-backoff"),
                c.getDuration("add-partitions-retry-backoff"),
                c.getDuration("add-partitions-retry-timeout"),
                c.getBoolean("partition-verification"),
                c.getDuration("deadline-retry-interval"),
                c.getDuration("completion-linger"),
                c.getInt("snapshot-every"),
                c.getString("read-journal-plugin"));
    }
}
