package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.BuildFiles;
import io.varve.it.support.ChildJvm;
import io.varve.it.support.Clients;
import io.varve.it.support.VarveNodeExtension;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kafka-clients 3.9 (the newest 3.x, in a child JVM without the 4.x client) against a Varve node: an
 * admin creates and lists topics, a producer writes with every compression codec and a consumer reads
 * the records back with assign/seek ({@code io.varve.it.support.LegacyClientProbe}); records written
 * by one client generation read the same with the other. Ordered: the probe's topic listing is exact,
 * so it runs before the test that creates another topic.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LegacyClientIT {
    private static final String PROBE = "io.varve.it.support.LegacyClientProbe";
    private static final List<String> CODECS = List.of("none", "gzip", "snappy", "lz4", "zstd");
    private static final int RECORDS = 5;

    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension();

    @Test
    @Order(1)
    void theProbeRunsOnKafkaClients39Only() {
        List<String> entries = List.of(BuildFiles.legacyClientClasspath().split(File.pathSeparator));
        assertThat(entries).anySatisfy(e -> assertThat(e).endsWith("kafka-clients-3.9.2.jar"));
        assertThat(entries).noneSatisfy(e -> assertThat(e).contains("kafka-clients-4"));
    }

    @Test
    @Order(2)
    void clients39CreateListProduceEveryCodecAndReadBack() throws Exception {
        ChildJvm.Result result = probe("produce-and-read", node.cluster().bootstrapServers(), String.valueOf(RECORDS));
        assertThat(result.exitCode()).as(result.toString()).isZero();

        List<String> expected =
                new ArrayList<>(List.of("client 3.9.2 from kafka-clients-3.9.2.jar", "created 5 topics"));
        for (String codec : CODECS) {
            StringBuilder sent = new StringBuilder("sent " + codec);
            for (int i = 0; i < RECORDS; i++) {
                sent.append(" 0:").append(i);
            }
            expected.add(sent.toString());
            for (int i = 0; i < RECORDS; i++) {
                expected.add("read legacy-" + codec + " " + i + " k" + i + "=" + codec + "-" + i);
            }
        }
        expected.add("topics [legacy-gzip, legacy-lz4, legacy-none, legacy-snappy, legacy-zstd]");
        assertThat(result.stdout().lines().toList()).as(result.toString()).containsExactlyElementsOf(expected);

        // what 3.9 wrote, 4.4 reads the same
        try (KafkaConsumer<String, String> consumer = Clients.consumer(node.cluster(), Map.of())) {
            TopicPartition tp = new TopicPartition("legacy-zstd", 0);
            consumer.assign(Set.of(tp));
            consumer.seek(tp, 0);
            assertThat(Clients.pollUntil(consumer, RECORDS, Duration.ofSeconds(30)))
                    .extracting(r -> r.offset() + ":" + r.key() + "=" + r.value())
                    .containsExactly("0:k0=zstd-0", "1:k1=zstd-1", "2:k2=zstd-2", "3:k3=zstd-3", "4:k4=zstd-4");
        }
    }

    @Test
    @Order(3)
    void clients39ReadWhatClients44Wrote() throws Exception {
        node.admin()
                .createTopics(List.of(new NewTopic("modern", 1, (short) 1)))
                .all()
                .get();
        try (KafkaProducer<String, String> producer =
                Clients.producer(node.cluster(), Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"))) {
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>("modern", 0, "m" + i, "four-" + i));
            }
            producer.flush();
        }
        ChildJvm.Result result = probe("read", node.cluster().bootstrapServers(), "modern", "3");
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout())
                .isEqualTo("client 3.9.2 from kafka-clients-3.9.2.jar\n"
                        + "read modern 0 m0=four-0\n"
                        + "read modern 1 m1=four-1\n"
                        + "read modern 2 m2=four-2\n");
    }

    private static ChildJvm.Result probe(String... args) throws Exception {
        return ChildJvm.run(
                BuildFiles.legacyClientClasspath(), List.of(), PROBE, List.of(args), "", Duration.ofSeconds(180));
    }
}
