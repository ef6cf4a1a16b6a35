package io.varve.it.matrix;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One Kafka client as the matrix drives it: each scenario runs the client's own program once (a
 * probe script, kcat, a child JVM) against a bootstrap address and returns what the client printed,
 * one fact a line (the contract is written at the top of {@code it/clients/python/confluent_probe.py}).
 * Called from the test thread only. What a client cannot report (kcat prints no delivery offsets)
 * is declared by {@link #reports()}; the test then expects those lines to be absent.
 */
interface ClientProbe {
    /** Long enough for a JVM or interpreter start, a group join and a 30 s deadline inside the probe. */
    Duration TIMEOUT = Duration.ofSeconds(90);

    /** What a client reports besides the records themselves. */
    enum Report {
        /** {@code sent P O} for each produced record */
        DELIVERIES,
        /** {@code position P O} once a consumer positioned at the end knows the offset */
        POSITION,
        /** {@code offset-for-time TS O} before reading from a timestamp */
        OFFSET_FOR_TIME,
        /** {@code committed P O} after a group commit, as read back by the client */
        COMMITTED,
        /** an admin API: {@code created}, {@code described}, {@code listed}, {@code deleted} */
        ADMIN
    }

    /** The value of the {@code client} header the probe writes, and the test's name for the client. */
    String name();

    /** The line {@code version} prints: the client and library versions the matrix pins. */
    String expectedVersion();

    List<String> codecs();

    /** The codec of the batches on disk when the client was asked for {@code codec}. */
    default String expectedBatchCodec(String codec) {
        return codec;
    }

    boolean idempotence();

    Set<Report> reports();

    /** What the probe prints for a Metadata lookup of a topic that does not exist. */
    List<String> expectedUnknownTopic();

    /**
     * What the probe prints when it fetches beyond the log end with automatic reset off; {@code
     * firstRecord} is the record line at offset 0, for clients that can only reset (kafkajs).
     */
    List<String> expectedOutOfRange(String firstRecord);

    ProbeRun.Result version() throws IOException, InterruptedException;

    ProbeRun.Result produce(String bootstrap, String topic, String codec, int count, boolean idempotent)
            throws IOException, InterruptedException;

    /** Starts reading partition 0 from {@code from} (beginning, end, offset:N, time:TS) until {@code count} records. */
    ProbeRun startConsume(String bootstrap, String topic, String from, int count) throws IOException;

    ProbeRun.Result watermarks(String bootstrap, String topic) throws IOException, InterruptedException;

    /** Joins {@code group} on {@code topic}, reads {@code count} records, commits after the last, leaves. */
    ProbeRun.Result group(String bootstrap, String topic, String group, int count)
            throws IOException, InterruptedException;

    ProbeRun.Result admin(String bootstrap, String topic, int partitions) throws IOException, InterruptedException;

    ProbeRun.Result unknownTopic(String bootstrap, String topic) throws IOException, InterruptedException;

    ProbeRun.Result outOfRange(String bootstrap, String topic, long offset) throws IOException, InterruptedException;
}
