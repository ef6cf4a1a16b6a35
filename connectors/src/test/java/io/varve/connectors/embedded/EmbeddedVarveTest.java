package io.varve.connectors.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.connectors.support.Clients;
import io.varve.connectors.support.TestNode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedVarveTest {

    @Test
    void startsWithTopicsThatKafkaClientsUseAtOnce() throws Exception {
        EmbeddedVarve node = TestNode.builder().topic("orders", 3).start();
        try (Admin admin = Clients.admin(node);
                KafkaProducer<String, String> producer = Clients.producer(node, Map.of())) {
            assertThat(node.bootstrapServers()).startsWith("127.0.0.1:").doesNotEndWith(":0");
            assertThat(admin.describeTopics(List.of("orders"))
                            .allTopicNames()
                            .get()
                            .get("orders")
                            .partitions())
                    .hasSize(3);
            RecordMetadata written =
                    producer.send(new ProducerRecord<>("orders", 2, "k", "v")).get();
            assertThat(written.partition()).isEqualTo(2);
            assertThat(written.offset()).isZero();
            List<ConsumerRecord<String, String>> read =
                    Clients.read(node, new TopicPartition("orders", 2), 0, 1, Duration.ofSeconds(20));
            assertThat(read).singleElement().satisfies(r -> {
                assertThat(r.key()).isEqualTo("k");
                assertThat(r.value()).isEqualTo("v");
            });
        } finally {
            TestNode.close(node);
        }
    }

    @Test
    void listingGroupsStartsNoThreadPerRequest() throws Exception {
        // the surefire JVM runs with a common pool of parallelism 1 (connectors/pom.xml), as on every
        // 2-CPU machine: there CompletableFuture's default executor starts a new thread per task
        assertThat(ForkJoinPool.getCommonPoolParallelism()).isEqualTo(1);
        EmbeddedVarve node = TestNode.builder().topic("ledger", 1).start();
        try (Admin admin = Clients.admin(node)) {
            admin.alterConsumerGroupOffsets(
                            "auditors", Map.of(new TopicPartition("ledger", 0), new OffsetAndMetadata(0)))
                    .all()
                    .get();
            assertThat(admin.listGroups().all().get())
                    .extracting(GroupListing::groupId)
                    .containsExactly("auditors");
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long startedBefore = threads.getTotalStartedThreadCount();

            for (int i = 0; i < 100; i++) {
                assertThat(admin.listGroups().all().get())
                        .extracting(GroupListing::groupId)
                        .containsExactly("auditors");
            }

            long started = threads.getTotalStartedThreadCount() - startedBefore;
            // a few threads may start anyway (a dispatcher growing); not one per request
            assertThat(started).as("threads started by 100 ListGroups").isLessThan(20);
        } finally {
            TestNode.close(node);
        }
    }

    @Test
    void aTemporaryNodeKeepsGroupsInItsInMemoryJournalAndListsThem() throws Exception {
        EmbeddedVarve node = TestNode.builder().topic("ledger", 2).start();
        try (Admin admin = Clients.admin(node)) {
            admin.alterConsumerGroupOffsets(
                            "auditors",
                            Map.of(
                                    new TopicPartition("ledger", 0), new OffsetAndMetadata(0),
                                    new TopicPartition("ledger", 1), new OffsetAndMetadata(0)))
                    .all()
                    .get();

            assertThat(admin.listGroups().all().get())
                    .extracting(GroupListing::groupId)
                    .containsExactly("auditors");
            assertThat(admin.listConsumerGroupOffsets("auditors")
                            .partitionsToOffsetAndMetadata()
                            .get())
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            new TopicPartition("ledger", 0), new OffsetAndMetadata(0),
                            new TopicPartition("ledger", 1), new OffsetAndMetadata(0)));
            // no database: the H2 journal of a kept data directory is never created
            assertThat(node.dataDir().resolve("meta")).doesNotExist();
        } finally {
            TestNode.close(node);
        }
    }

    @Test
    void temporaryDataDirectoryIsRemovedOnClose() {
        EmbeddedVarve node = TestNode.builder().start();
        Path dir = node.dataDir();
        assertThat(dir).isDirectory();
        TestNode.close(node);
        assertThat(dir).doesNotExist();
        node.close(); // idempotent
    }

    @Test
    void aGivenDataDirectoryKeepsTopicsAndRecordsAcrossNodes(@TempDir Path dir) throws Exception {
        EmbeddedVarve first = TestNode.builder().dataDir(dir).topic("kept", 1).start();
        try (KafkaProducer<String, String> producer = Clients.producer(first, Map.of())) {
            producer.send(new ProducerRecord<>("kept", "a", "1")).get();
            producer.send(new ProducerRecord<>("kept", "b", "2")).get();
        } finally {
            TestNode.close(first);
        }
        assertThat(dir.resolve("kept-0")).isDirectory();
        // a kept directory's node journals on H2 there, as bin/varve start does
        assertThat(dir.resolve("meta/journal.mv.db")).isRegularFile();
        // an in-memory journal would know none of these logs and delete them as strays: refused
        assertThatThrownBy(() -> TestNode.builder()
                        .dataDir(dir)
                        .config("varve.journal.in-memory", true)
                        .start())
                .isInstanceOf(VarveStartException.class)
                .hasMessageContaining("holds partition logs [kept-0]");
        assertThat(dir.resolve("kept-0")).isDirectory();
        // the same topic asked for again is kept as it is
        EmbeddedVarve second = TestNode.builder().dataDir(dir).topic("kept", 1).start();
        try {
            List<ConsumerRecord<String, String>> read =
                    Clients.read(second, new TopicPartition("kept", 0), 0, 2, Duration.ofSeconds(20));
            assertThat(read).extracting(ConsumerRecord::value).containsExactly("1", "2");
            assertThat(read).extracting(ConsumerRecord::offset).containsExactly(0L, 1L);
        } finally {
            TestNode.close(second);
        }
        assertThat(Files.exists(dir)).isTrue();
    }

    @Test
    void createsTopicsAtRunTimeWithConfigsAndRejectsBadOnes() throws Exception {
        EmbeddedVarve node = TestNode.builder().start();
        try (Admin admin = Clients.admin(node)) {
            node.createTopics(new NewTopic("compacted", Optional.of(2), Optional.empty())
                    .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "60000")));
            assertThat(node.partitionCount("compacted")).isEqualTo(2);
            assertThat(admin.listTopics().names().get()).isEqualTo(Set.of("compacted"));
            assertThat(admin.describeConfigs(List.of(new org.apache.kafka.common.config.ConfigResource(
                                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "compacted")))
                            .all()
                            .get()
                            .values()
                            .iterator()
                            .next()
                            .get(TopicConfig.RETENTION_MS_CONFIG)
                            .value())
                    .isEqualTo("60000");
            assertThatThrownBy(() -> node.createTopic("compacted", 1))
                    .isInstanceOf(TopicExistsException.class)
                    .hasMessageContaining("compacted");
            assertThatThrownBy(() -> node.createTopic("bad/name", 1)).isInstanceOf(InvalidTopicException.class);
            assertThat(node.partitionCount("missing")).isZero();
        } finally {
            TestNode.close(node);
        }
    }

    @Test
    void aTakenPortFailsTheStartWithTheReasonAndCleansUp() {
        EmbeddedVarve first = TestNode.builder().start();
        try {
            int taken = first.address().getPort();
            assertThatThrownBy(() -> TestNode.builder()
                            .port(taken)
                            .startTimeout(Duration.ofSeconds(20))
                            .start())
                    .isInstanceOf(VarveStartException.class)
                    .hasMessageContaining("did not start");
        } finally {
            TestNode.close(first);
        }
    }
}
