package io.varve.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.varve.actors.VarveNode;
import io.varve.metadata.VarveSerializable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Which transport should carry record bytes from a leader to its followers (issue 12,
 * docs/replication.md)? Measures, in one JVM on loopback, the same segment files pulled two ways:
 *
 * <ol>
 *   <li><b>Kafka Fetch</b> from a Varve node's listener (one request in flight, 1 MiB per partition,
 *       10 MiB per response): the path a follower's {@code ReplicaFetcher} takes, served with the
 *       leader's zero-copy read (sendfile) and decoded by kafka-clients;
 *   <li><b>Artery</b>: an actor in one actor system reads the segment and sends 128 KiB chunks (Artery's
 *       frame limit is 256 KiB) to an actor in another system over Artery TCP, 8 pulls in flight,
 *       serialized by Varve's Kryo serializer.
 * </ol>
 *
 * Prints MB/s and this JVM's CPU seconds per GB for each, per round. Usage (from the repository
 * root): {@code bench/replication-transport.sh [MB] [ROUNDS]}.
 */
public final class ReplicationTransportBenchmark {
    private static final String TOPIC = "transport";
    private static final int ARTERY_CHUNK = 128 * 1024;
    private static final int ARTERY_WINDOW = 8;

    private ReplicationTransportBenchmark() {}

    /** A follower's request for the bytes at {@code position} of the segment set. */
    public record Pull(int file, long position, ActorRef<Chunk> replyTo) implements VarveSerializable {}

    /** Up to 128 KiB of a segment; empty at the end of the file. */
    public record Chunk(int file, long position, byte[] bytes) implements VarveSerializable {}

    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dataDir = Files.createTempDirectory(
                Files.createDirectories(Path.of("bench/target").toAbsolutePath()), "replication-transport");
        VarveNode node = VarveNode.start(config(Map.of("varve.data-dir", dataDir.toString())));
        InetSocketAddress listener = node.awaitReady(Duration.ofSeconds(120));
        try {
            String bootstrap = listener.getHostString() + ":" + listener.getPort();
            Uuid topicId = load(bootstrap, megabytes);
            long end = logEnd(bootstrap);
            List<Path> segments = segments(dataDir.resolve(TOPIC + "-0"));
            long bytes = 0;
            for (Path segment : segments) {
                bytes += Files.size(segment);
            }
            System.out.printf("%d segment(s), %.1f MB, %d records%n", segments.size(), bytes / 1e6, end);
            for (int round = 1; round <= rounds; round++) {
                measure("kafka-fetch", round, () -> fetchAll(listener, topicId, end));
                measure("artery", round, () -> pullOverArtery(segments));
            }
        } finally {
            node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    private interface Transfer {
        long run() throws Exception;
    }

    private static void measure(String path, int round, Transfer transfer) throws Exception {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long bytes = transfer.run();
        double seconds = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        System.out.printf(
                "round %d %-12s %8.1f MB/s  %6.2f CPU s/GB  (%.1f MB in %.2f s)%n",
                round, path, bytes / 1e6 / seconds, cpu / (bytes / 1e9), bytes / 1e6, seconds);
    }

    private static Config config(Map<String, Object> overrides) {
        Map<String, Object> all = new HashMap<>(overrides);
        all.put("varve.transport.port", 0);
        all.put("varve.cluster.port", 0);
        all.put("pekko.loglevel", "WARNING");
        return ConfigFactory.parseMap(all)
                .withFallback(ConfigFactory.parseFile(new File("application.conf")))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }

    private static Uuid load(String bootstrap, int megabytes) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ProducerConfig.ACKS_CONFIG, "1");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
            props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
                byte[] value = new byte[1024];
                for (int i = 0; i < megabytes * 1024; i++) {
                    value[i % value.length] = (byte) i;
                    producer.send(new ProducerRecord<>(TOPIC, 0, null, value.clone()));
                }
                producer.flush();
            }
            return admin.describeTopics(List.of(TOPIC))
                    .allTopicNames()
                    .get()
                    .get(TOPIC)
                    .topicId();
        }
    }

    private static long logEnd(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            TopicPartition tp = new TopicPartition(TOPIC, 0);
            return admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .all()
                    .get()
                    .get(tp)
                    .offset();
        }
    }

    private static List<Path> segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
    }

    /** Fetches every record from offset 0 to {@code end} as a follower would; returns the record bytes. */
    private static long fetchAll(InetSocketAddress listener, Uuid topicId, long end) throws Exception {
        short version = ApiKeys.FETCH.latestVersion();
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        long offset = 0;
        long bytes = 0;
        int correlation = 0;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.setReceiveBufferSize(1 << 20);
            socket.connect(listener);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            while (offset < end) {
                Map<TopicPartition, FetchRequest.PartitionData> data = new LinkedHashMap<>();
                data.put(tp, new FetchRequest.PartitionData(topicId, offset, -1L, 1 << 20, Optional.empty()));
                FetchRequest request = FetchRequest.Builder.forConsumer(version, 0, 1, data)
                        .setMaxBytes(10 << 20)
                        .build(version);
                RequestHeader header = new RequestHeader(ApiKeys.FETCH, version, "transport-bench", correlation++);
                ByteBuffer frame = request.serializeWithHeader(header);
                byte[] frameBytes = new byte[frame.remaining()];
                frame.get(frameBytes);
                out.writeInt(frameBytes.length);
                out.write(frameBytes);
                out.flush();
                byte[] body = new byte[in.readInt()];
                in.readFully(body);
                FetchResponse response = (FetchResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
                FetchResponseData.PartitionData partition =
                        response.data().responses().get(0).partitions().get(0);
                Records records = FetchResponse.recordsOrFail(partition);
                long next = offset;
                for (var batch : records.batches()) {
                    next = batch.nextOffset();
                    bytes += batch.sizeInBytes();
                }
                if (next == offset) {
                    throw new IllegalStateException("no progress at offset " + offset + ": " + partition);
                }
                offset = next;
            }
        }
        return bytes;
    }

    /** Pulls every segment's bytes from one actor system to another over Artery. */
    private static long pullOverArtery(List<Path> segments) throws Exception {
        ActorSystem<Pull> leader = ActorSystem.create(leader(segments), "leader", arteryConfig());
        CompletableFuture<Long> done = new CompletableFuture<>();
        ActorSystem<Chunk> follower = null;
        try {
            follower = ActorSystem.create(follower(leader, segments.size(), done), "follower", arteryConfig());
            return done.get(10, TimeUnit.MINUTES);
        } finally {
            if (follower != null) {
                follower.terminate();
                follower.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            leader.terminate();
            leader.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
    }

    private static Config arteryConfig() {
        return ConfigFactory.parseString(
                        """
                        pekko.actor.provider = remote
                        pekko.remote.artery.canonical.hostname = "127.0.0.1"
                        pekko.remote.artery.canonical.port = 0
                        pekko.loglevel = WARNING
                        pekko.actor.serialization-bindings { "io.varve.metadata.VarveSerializable" = kryo }
                        varve.kryo.classes {
                          "io.varve.bench.ReplicationTransportBenchmark$Pull" = 900
                          "io.varve.bench.ReplicationTransportBenchmark$Chunk" = 901
                        }
                        """)
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }

    /** Answers each pull with the next chunk of a segment, read into the heap (what Artery needs). */
    private static Behavior<Pull> leader(List<Path> segments) {
        return Behaviors.setup(context -> {
            List<FileChannel> files = new ArrayList<>();
            for (Path segment : segments) {
                files.add(FileChannel.open(segment, StandardOpenOption.READ));
            }
            return Behaviors.receive(Pull.class)
                    .onMessage(Pull.class, pull -> {
                        FileChannel file = files.get(pull.file());
                        ByteBuffer buffer = ByteBuffer.allocate(ARTERY_CHUNK);
                        int read = Math.max(0, file.read(buffer, pull.position()));
                        byte[] bytes = new byte[read];
                        buffer.flip();
                        buffer.get(bytes);
                        pull.replyTo().tell(new Chunk(pull.file(), pull.position(), bytes));
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** Keeps a window of pulls in flight over every file; completes {@code done} with the bytes received. */
    private static Behavior<Chunk> follower(
            ActorSystem<Pull> leaderSystem, int fileCount, CompletableFuture<Long> done) {
        return Behaviors.setup(context -> {
            ActorRef<Pull> leader = org.apache.pekko.actor.typed.ActorRefResolver.get(context.getSystem())
                    .resolveActorRef(org.apache.pekko.actor.typed.ActorRefResolver.get(leaderSystem)
                            .toSerializationFormat(leaderSystem));
            long[] next = new long[fileCount];
            boolean[] ended = new boolean[fileCount];
            long[] received = {0};
            int[] inFlight = {0};
            int[] file = {0};
            Runnable pullMore = () -> {
                while (inFlight[0] < ARTERY_WINDOW && file[0] < fileCount) {
                    if (ended[file[0]]) {
                        file[0]++;
                        continue;
                    }
                    leader.tell(new Pull(file[0], next[file[0]], context.getSelf()));
                    next[file[0]] += ARTERY_CHUNK;
                    inFlight[0]++;
                }
            };
            pullMore.run();
            return Behaviors.receive(Chunk.class)
                    .onMessage(Chunk.class, chunk -> {
                        inFlight[0]--;
                        received[0] += chunk.bytes().length;
                        if (chunk.bytes().length < ARTERY_CHUNK) {
                            ended[chunk.file()] = true;
                        }
                        pullMore.run();
                        if (inFlight[0] == 0 && file[0] >= fileCount) {
                            done.complete(received[0]);
                        }
                        return Behaviors.same();
                    })
                    .build();
        });
    }
}
