package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.testing.Conditions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * What every sweep scenario shares: the raw connection, an Admin (kafka-clients 4.4, for set-up only),
 * topic names unique per scenario and version, and record helpers. Set-up writes go through the raw
 * connection at the newest Produce version, so a scenario knows every offset exactly.
 */
final class SweepContext implements AutoCloseable {
    static final long BASE_TIMESTAMP = 1_700_000_000_000L;
    private static final String RUN_ID =
            System.getProperty("sweep.bootstrap", "").isEmpty()
                    ? ""
                    : "-" + Long.toString(System.currentTimeMillis() % 1_000_000, 36);

    private final String bootstrapServers;
    private final Admin admin;
    private final SweepClient client;

    /** A context on a new connection to the broker; closing it closes the connection. */
    static SweepContext open(String bootstrapServers, Admin admin, Coverage coverage) throws IOException {
        return new SweepContext(bootstrapServers, admin, SweepClient.open(bootstrapServers, coverage));
    }

    private SweepContext(String bootstrapServers, Admin admin, SweepClient client) {
        this.bootstrapServers = bootstrapServers;
        this.admin = admin;
        this.client = client;
    }

    SweepClient client() {
        return client;
    }

    Admin admin() {
        return admin;
    }

    int nodeId() {
        return 1;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * A name unique to one scenario and version: "sweep-produce-v3". Against an outside broker
     * ({@code -Dsweep.bootstrap}) it also carries this run's id, so runs do not meet each other's topics.
     */
    static String name(String scenario, short version) {
        return "sweep-" + scenario + "-v" + version + RUN_ID;
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions and returns its id once every partition
     * has a leader (at once on Varve; Kafka's brokers learn of new topics a little later).
     */
    Uuid createTopic(String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                .all()
                .get();
        awaitTopic(topic);
        return topicId(topic);
    }

    /** Waits until {@code topic}'s partitions all have a leader in this broker's Metadata answer. */
    void awaitTopic(String topic) throws InterruptedException {
        boolean ready = Conditions.awaitTrue(Duration.ofSeconds(30), () -> {
            MetadataResponseData.MetadataResponseTopic described = describeTopic(topic);
            return described.errorCode() == Errors.NONE.code()
                    && !described.partitions().isEmpty()
                    && described.partitions().stream().allMatch(p -> p.leaderId() >= 0);
        });
        assertThat(ready).as("partitions of %s have leaders", topic).isTrue();
    }

    /**
     * The topic's partition count once it is {@code expected} (at once on Varve; a Kafka broker
     * learns of new partitions a little later), or what it is at the deadline.
     */
    int awaitPartitionCount(String topic, int expected) throws Exception {
        Conditions.awaitTrue(
                Duration.ofSeconds(15), () -> describeTopic(topic).partitions().size() == expected);
        return describeTopic(topic).partitions().size();
    }

    /** The topic's id, from this broker's Metadata answer. */
    Uuid topicId(String topic) throws IOException {
        return describeTopic(topic).topicId();
    }

    private MetadataResponseData.MetadataResponseTopic describeTopic(String topic) throws IOException {
        MetadataResponse answer = client.send(
                ApiKeys.METADATA,
                (short) 12,
                new MetadataRequestData()
                        .setAllowAutoTopicCreation(false)
                        .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic))));
        return answer.data().topics().iterator().next();
    }

    /**
     * A v2 batch of records {@code key-i = value}, with timestamps {@code BASE_TIMESTAMP + 10 * i} and
     * one header each, as every client since Kafka 0.11 writes them.
     */
    static MemoryRecords batch(String... values) {
        return MemoryRecords.withRecords(Compression.NONE, simpleRecords(values));
    }

    static SimpleRecord[] simpleRecords(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            Header[] headers = {new RecordHeader("h", ("hv" + i).getBytes(StandardCharsets.UTF_8))};
            records[i] = new SimpleRecord(BASE_TIMESTAMP + 10L * i, bytes("key-" + i), bytes(values[i]), headers);
        }
        return records;
    }

    /** Records without headers, as a magic v0/v1 (pre-0.11) client wrote them. */
    static SimpleRecord[] legacyRecords(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(BASE_TIMESTAMP + 10L * i, bytes("key-" + i), bytes(values[i]));
        }
        return records;
    }

    static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    static String string(java.nio.ByteBuffer buffer) {
        return buffer == null
                ? null
                : StandardCharsets.UTF_8.decode(buffer.duplicate()).toString();
    }

    /** Writes {@code values} to one partition (newest Produce, acks=all) and returns the base offset. */
    long produce(String topic, Uuid topicId, int partition, String... values) throws IOException {
        short version = ApiKeys.PRODUCE.latestVersion();
        ProduceRequestData request =
                new ProduceRequestData().setAcks((short) -1).setTimeoutMs(30_000);
        ProduceRequestData.TopicProduceData data =
                new ProduceRequestData.TopicProduceData().setName(topic).setTopicId(topicId);
        data.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(partition)
                        .setRecords(batch(values)));
        request.topicData().add(data);
        ProduceResponse response = client.send(ApiKeys.PRODUCE, version, request);
        PartitionProduceResponse answer = response.data()
                .responses()
                .iterator()
                .next()
                .partitionResponses()
                .get(0);
        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NONE);
        return answer.baseOffset();
    }

    @Override
    public void close() throws IOException {
        client.close();
    }

    /** Each record of {@code records} as {@code offset:key=value}, in order. */
    static List<String> describe(BaseRecords records) {
        List<String> described = new ArrayList<>();
        if (records == null) {
            return described;
        }
        for (RecordBatch batch : ((Records) records).batches()) {
            for (Record record : batch) {
                described.add(record.offset() + ":" + string(record.key()) + "=" + string(record.value()));
            }
        }
        return described;
    }
}
