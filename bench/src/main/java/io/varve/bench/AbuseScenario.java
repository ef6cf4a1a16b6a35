package io.varve.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The abusive-clients scenario of issue 11, run by hand against one broker ({@code bench/abuse.sh}):
 * {@code NEVER_READING} connections pipeline Fetch requests and never read an answer (they keep
 * writing whenever the broker takes more), {@code STALLED} connections announce a 100 MiB request,
 * send {@code STALL_BYTES} of it and stall. Throughout, once a second, a fresh producer (its own
 * connections and metadata) sends one record with acks=all and a fresh consumer reads it back; each
 * probe's time is printed, and a summary line at the end ({@code over_1s} counts produces and consumes
 * that took over a second):
 *
 * <pre>
 *   probes=60 produce_p50_ms=… produce_p99_ms=… produce_max_ms=… consume_p50_ms=… consume_p99_ms=…
 *   consume_max_ms=… over_1s=0 failed=0
 * </pre>
 *
 * Before the abusers connect, {@value #WARM_UP_PROBES} probes warm this JVM's client code (class
 * loading, JIT): a cold JVM's first producer and consumer take about a second on their own, against
 * an idle broker, which would otherwise be charged to the broker under abuse.
 *
 * A probe that does not complete within 30 s counts as failed. Timing goals are for the person
 * running it: nothing here asserts them.
 *
 * <p>The never-reading connections fetch from the probes' own partition ({@code same}, the worst
 * case: the probes' appends queue behind their reads in that partition's actor) or from a partition
 * of another topic ({@code separate}).
 *
 * <p>Usage: {@code AbuseScenario BOOTSTRAP NEVER_READING STALLED STALL_BYTES SECONDS same|separate
 * [WAVES]}: WAVES (default 1) rounds of the abuse, one after the other, against the same broker.
 */
public final class AbuseScenario {
    private static final String TOPIC = "abuse";
    private static final String OTHER_TOPIC = "abuse-fetched";
    private static final int ANNOUNCED = 100 * 1024 * 1024;
    private static final int FETCHES_PER_WRITE = 200;
    private static final long PROBE_TIMEOUT_MS = 30_000;
    private static final int WARM_UP_PROBES = 5;

    private AbuseScenario() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 6 || args.length > 7 || !List.of("same", "separate").contains(args[5])) {
            System.err.println(
                    "usage: AbuseScenario BOOTSTRAP NEVER_READING STALLED STALL_BYTES SECONDS same|separate [WAVES]");
            System.exit(64);
        }
        String bootstrap = args[0];
        int neverReading = Integer.parseInt(args[1]);
        int stalled = Integer.parseInt(args[2]);
        int stallBytes = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        String fetched = args[5].equals("same") ? TOPIC : OTHER_TOPIC;
        int waves = args.length == 7 ? Integer.parseInt(args[6]) : 1;
        createTopic(bootstrap, TOPIC);
        createTopic(bootstrap, OTHER_TOPIC);
        // the probe JVM's own start-up (class loading, JIT of the client code) is paid here, before the
        // abuse starts, so that the probes under abuse measure the broker
        for (int i = 1; i <= WARM_UP_PROBES; i++) {
            System.out.println("before abuse, warm-up " + i + ": " + probe(bootstrap, -i));
        }
        for (int wave = 1; wave <= waves; wave++) {
            System.out.println("wave " + wave + " of " + waves);
            wave(bootstrap, neverReading, stalled, stallBytes, seconds, fetched, wave * 100_000);
        }
    }

    /**
     * One wave of abuse: the abusers connect, a probe runs once a second for {@code seconds}, the
     * summary line is printed, the abusers leave and one more probe runs. A second wave meets a broker
     * whose code the first one warmed (JIT), which tells the broker's warm-up from its steady state.
     */
    private static void wave(
            String bootstrap, int neverReading, int stalled, int stallBytes, int seconds, String fetched, int firstId)
            throws IOException, InterruptedException {
        InetSocketAddress address = address(bootstrap);
        List<SocketChannel> readersThatNeverRead = new ArrayList<>();
        ByteBuffer fetches = fetches(fetched, FETCHES_PER_WRITE);
        for (int i = 0; i < neverReading; i++) {
            SocketChannel channel = SocketChannel.open(address);
            channel.configureBlocking(false);
            readersThatNeverRead.add(channel);
        }
        List<SocketChannel> stallers = new ArrayList<>();
        for (int i = 0; i < stalled; i++) {
            stallers.add(announceAndStall(address, stallBytes));
        }
        long pipelined = pushFetches(readersThatNeverRead, fetches);
        System.out.printf(
                "abusers connected: %d never-reading (%d fetch bytes written so far), %d stalled at %d of %d bytes%n",
                neverReading, pipelined, stalled, stallBytes, ANNOUNCED);

        List<Long> produceMs = new ArrayList<>();
        List<Long> consumeMs = new ArrayList<>();
        int failed = 0;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; System.nanoTime() < end; i++) {
            long started = System.nanoTime();
            pipelined += pushFetches(readersThatNeverRead, fetches);
            Probe probe = probe(bootstrap, firstId + i);
            System.out.println("probe " + i + ": " + probe + " (fetch bytes pipelined so far " + pipelined + ")");
            if (probe.failed()) {
                failed++;
            } else {
                produceMs.add(probe.produceMs());
                consumeMs.add(probe.consumeMs());
            }
            long pause = 1000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (pause > 0) {
                Thread.sleep(pause);
            }
        }
        long over = produceMs.stream().filter(ms -> ms > 1000).count()
                + consumeMs.stream().filter(ms -> ms > 1000).count();
        System.out.printf(
                "probes=%d produce_p50_ms=%d produce_p99_ms=%d produce_max_ms=%d consume_p50_ms=%d consume_p99_ms=%d"
                        + " consume_max_ms=%d over_1s=%d failed=%d%n",
                produceMs.size() + failed,
                percentile(produceMs, 50),
                percentile(produceMs, 99),
                percentile(produceMs, 100),
                percentile(consumeMs, 50),
                percentile(consumeMs, 99),
                percentile(consumeMs, 100),
                over,
                failed);
        for (SocketChannel channel : readersThatNeverRead) {
            channel.close();
        }
        for (SocketChannel channel : stallers) {
            channel.close();
        }
        System.out.println("after abuse: " + probe(bootstrap, firstId - 1));
    }

    /** One probe: a fresh producer's acks=all send, then a fresh consumer reading that record. */
    record Probe(long produceMs, long metadataMs, long consumeMs, String failure) {
        boolean failed() {
            return failure != null;
        }

        @Override
        public String toString() {
            return failed()
                    ? "FAILED " + failure
                    : "produce " + produceMs + " ms (metadata " + metadataMs + " ms), consume " + consumeMs + " ms";
        }
    }

    private static Probe probe(String bootstrap, int id) {
        long start = System.nanoTime();
        long offset;
        long metadataMs;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps(bootstrap))) {
            producer.partitionsFor(TOPIC); // the producer's first round trips: ApiVersions, Metadata
            metadataMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            offset = producer.send(new ProducerRecord<>(TOPIC, 0, "probe", "probe-" + id))
                    .get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .offset();
        } catch (Exception e) {
            return new Probe(-1, -1, -1, "produce: " + e);
        }
        long produced = System.nanoTime();
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps(bootstrap))) {
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROBE_TIMEOUT_MS);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                    if (record.offset() == offset && record.value().equals("probe-" + id)) {
                        return new Probe(
                                TimeUnit.NANOSECONDS.toMillis(produced - start),
                                metadataMs,
                                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - produced),
                                null);
                    }
                }
            }
            return new Probe(
                    TimeUnit.NANOSECONDS.toMillis(produced - start),
                    metadataMs,
                    -1,
                    "consume: record not read in time");
        } catch (Exception e) {
            return new Probe(-1, -1, -1, "consume: " + e);
        }
    }

    /** Writes more pipelined fetches to every never-reading connection, as far as the broker takes them. */
    private static long pushFetches(List<SocketChannel> channels, ByteBuffer fetches) throws IOException {
        long written = 0;
        for (SocketChannel channel : channels) {
            ByteBuffer copy = fetches.duplicate();
            int n;
            while (copy.hasRemaining() && (n = channel.write(copy)) > 0) {
                written += n;
            }
        }
        return written;
    }

    private static ByteBuffer fetches(String topic, int count) {
        FetchRequestData data =
                new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20);
        data.topics()
                .add(new FetchRequestData.FetchTopic()
                        .setTopic(topic)
                        .setPartitions(List.of(new FetchRequestData.FetchPartition()
                                .setPartition(0)
                                .setFetchOffset(0)
                                .setPartitionMaxBytes(1 << 20))));
        FetchRequest fetch = new FetchRequest(data, (short) 12);
        List<ByteBuffer> frames = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; i < count; i++) {
            ByteBuffer frame = fetch.serializeWithHeader(new RequestHeader(ApiKeys.FETCH, (short) 12, "abuser", i));
            frames.add(frame);
            bytes += 4 + frame.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(bytes);
        frames.forEach(frame -> all.putInt(frame.remaining()).put(frame));
        return all.flip();
    }

    private static SocketChannel announceAndStall(InetSocketAddress address, int stallBytes) throws IOException {
        SocketChannel channel = SocketChannel.open(address);
        ByteBuffer start = ByteBuffer.allocate(4 + Math.max(8, stallBytes)).putInt(ANNOUNCED);
        start.putShort(ApiKeys.PRODUCE.id).putShort((short) 9).putInt(1);
        start.position(0).limit(4 + stallBytes);
        while (start.hasRemaining()) {
            channel.write(start);
        }
        return channel;
    }

    private static void createTopic(String bootstrap, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private static Properties producerProps(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(PROBE_TIMEOUT_MS));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(PROBE_TIMEOUT_MS));
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    private static Properties consumerProps(String bootstrap) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
        return p;
    }

    private static InetSocketAddress address(String bootstrap) {
        String[] hostPort = bootstrap.split(":");
        return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    private static long percentile(List<Long> values, int percentile) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
