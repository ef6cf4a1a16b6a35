package io.varve.partition;

import io.varve.metadata.PartitionRegistration;
import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.DeleteRecords;
import io.varve.partition.PartitionActor.DeleteRecordsResponse;
import io.varve.partition.PartitionActor.DescribeLog;
import io.varve.partition.PartitionActor.ListOffsets;
import io.varve.partition.PartitionActor.ListOffsetsResponse;
import io.varve.partition.PartitionActor.LogDescription;
import io.varve.partition.PartitionActor.Read;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.replication.ReplicationContext;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.LogDirectory;
import io.varve.storage.log.LogSlice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * Test context for {@link PartitionActor}: a data directory in a temp dir, a registration (node 1
 * leads at epoch 5 by default), topic overrides, and blocking helpers that send one command and
 * return its reply.
 */
final class PartitionFixture {
    static final TopicPartition TP = new TopicPartition("orders", 0);
    static final Uuid TOPIC_ID = new Uuid(0x1234L, 0x5678L);
    static final int NODE = 1;
    static final int EPOCH = 5;
    static final PartitionSettings SETTINGS = new PartitionSettings(
            Duration.ofMinutes(5), Duration.ofDays(1), Duration.ofMinutes(10), Duration.ofSeconds(1));

    private static final AtomicInteger names = new AtomicInteger();

    final ActorTestKit testKit;
    final Path dataDir;
    final Map<String, String> overrides = new HashMap<>();
    LogDirectory logDirectory;
    PartitionRegistration registration = registration(List.of(NODE), NODE, EPOCH, 0);
    Uuid topicId = TOPIC_ID;
    ReplicationContext replication = ReplicationContext.standalone();
    TransactionVerifier verifier = TransactionVerifier.DISABLED;

    PartitionFixture(ActorTestKit testKit, Path dataDir) {
        this.testKit = testKit;
        this.dataDir = dataDir;
    }

    static PartitionRegistration registration(List<Integer> isr, int leader, int leaderEpoch, int partitionEpoch) {
        return new PartitionRegistration(TP.partition(), List.of(1, 2, 3), isr, leader, leaderEpoch, partitionEpoch);
    }

    PartitionFixture with(String key, Object value) {
        overrides.put(key, String.valueOf(value));
        return this;
    }

    LogDirectory logDirectory() {
        try {
            if (logDirectory == null) {
                logDirectory = LogDirectory.open(dataDir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return logDirectory;
    }

    ActorRef<Command> spawn() {
        logDirectory();
        return testKit.spawn(
                PartitionActor.create(ReplicaSpec.standalone(
                                logDirectory, TP, topicId, LogConfig.fromMap(overrides), registration, NODE, SETTINGS)
                        .replicatingThrough(replication)
                        .verifiedBy(verifier)),
                "partition-" + names.incrementAndGet(),
                DispatcherSelector.fromConfig("varve.storage-dispatcher"));
    }

    AppendResponse append(ActorRef<Command> partition, MemoryRecords records, int acks) {
        TestProbe<AppendResponse> probe = testKit.createTestProbe();
        partition.tell(new Append(records, (short) acks, 30_000, probe.ref()));
        return probe.receiveMessage();
    }

    ReadResponse read(ActorRef<Command> partition, long fetchOffset, int currentLeaderEpoch) {
        TestProbe<ReadResponse> probe = testKit.createTestProbe();
        partition.tell(new Read(fetchOffset, 1 << 20, false, true, currentLeaderEpoch, probe.ref()));
        return probe.receiveMessage();
    }

    ListOffsetsResponse listOffsets(ActorRef<Command> partition, long timestamp) {
        TestProbe<ListOffsetsResponse> probe = testKit.createTestProbe();
        partition.tell(new ListOffsets(timestamp, false, -1, probe.ref()));
        return probe.receiveMessage();
    }

    DeleteRecordsResponse deleteRecords(ActorRef<Command> partition, long offset) {
        TestProbe<DeleteRecordsResponse> probe = testKit.createTestProbe();
        partition.tell(new DeleteRecords(offset, probe.ref()));
        return probe.receiveMessage();
    }

    /** Also a barrier: every command sent before it has been processed when it returns. */
    LogDescription describe(ActorRef<Command> partition) {
        TestProbe<LogDescription> probe = testKit.createTestProbe();
        partition.tell(new DescribeLog(probe.ref()));
        return probe.receiveMessage();
    }

    /** A transactional producer's batch of {@code count} records from sequence {@code baseSequence}. */
    static MemoryRecords transactional(
            long producerId, short epoch, int baseSequence, String prefix, int count, long timestamp) {
        return MemoryRecords.withTransactionalRecords(
                Compression.NONE, producerId, epoch, baseSequence, records(prefix, count, timestamp));
    }

    /** One batch of {@code count} records with values {@code prefix-0..}, all stamped {@code timestamp}. */
    static MemoryRecords batch(String prefix, int count, long timestamp) {
        return MemoryRecords.withRecords(Compression.NONE, records(prefix, count, timestamp));
    }

    static SimpleRecord[] records(String prefix, int count, long timestamp) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(
                    timestamp,
                    ("k" + i).getBytes(StandardCharsets.UTF_8),
                    (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    /**
     * Every record in {@code slice} as {@code "offset:value"}: its bytes, or read through the file
     * it holds; a held file is released.
     */
    static List<String> offsetsAndValues(LogSlice slice) {
        return offsetsAndValues(bytesOf(slice));
    }

    /** Every record in {@code slice} as {@code "offset:key=value"}; a held file is released. */
    static List<String> keysOffsetsAndValues(LogSlice slice) {
        List<String> out = new ArrayList<>();
        for (RecordBatch batch : MemoryRecords.readableRecords(bytesOf(slice)).batches()) {
            for (Record record : batch) {
                out.add(record.offset() + ":" + StandardCharsets.UTF_8.decode(record.key()) + "="
                        + StandardCharsets.UTF_8.decode(record.value()));
            }
        }
        return out;
    }

    private static ByteBuffer bytesOf(LogSlice slice) {
        if (slice.hasBytes()) {
            return slice.bytes().duplicate();
        }
        ByteBuffer buffer = ByteBuffer.allocate(slice.length());
        if (!slice.hasFile()) {
            return buffer;
        }
        try {
            while (buffer.hasRemaining()) {
                if (slice.file().channel().read(buffer, slice.position() + buffer.position()) < 0) {
                    throw new IOException("slice " + slice + " runs past the end of the file");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            slice.release();
        }
        return buffer.flip();
    }

    private static List<String> offsetsAndValues(ByteBuffer buffer) {
        List<String> out = new ArrayList<>();
        for (RecordBatch batch : MemoryRecords.readableRecords(buffer).batches()) {
            for (Record record : batch) {
                out.add(record.offset() + ":" + StandardCharsets.UTF_8.decode(record.value()));
            }
        }
        return out;
    }
}
