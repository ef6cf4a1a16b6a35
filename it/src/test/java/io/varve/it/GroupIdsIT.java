package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveNodeExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every group id a client can send works (Kafka accepts them all): one with Pekko Persistence's
 * {@code |} separator, one of 1,000 characters (past the journal's 255-character persistence ids),
 * a non-ASCII one. A real consumer joins, consumes and commits under each; Admin reads the
 * offsets back, ListGroups names every group, and DeleteGroups removes one.
 */
class GroupIdsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String PIPE = "team|orders|v1";
    private static final String LONG = "long-" + "x".repeat(994) + "|";
    private static final String UNICODE = "消費者グループ-ñandú-🚀";

    @RegisterExtension
    static final VarveNodeExtension node =
            new VarveNodeExtension(Map.of("varve.group.initial-rebalance-delay", "100ms"));

    @Test
    void consumersCommitUnderAnyGroupIdAndAdminSeesEveryGroup() throws Exception {
        assertThat(LONG).hasSize(1000);
        node.admin()
                .createTopics(List.of(new NewTopic("ids", 1, (short) 1)))
                .all()
                .get();
        try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), Map.of())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>("ids", 0, "k" + i, "v" + i)).get();
            }
        }
        TopicPartition tp = new TopicPartition("ids", 0);
        long expected = 2;
        for (String group : List.of(PIPE, LONG, UNICODE)) {
            try (KafkaConsumer<String, String> consumer = consumer(group)) {
                consumer.subscribe(List.of("ids"));
                assertThat(Clients.pollUntil(consumer, 5, DEADLINE)).as(group).hasSize(5);
                consumer.commitSync(Map.of(tp, new OffsetAndMetadata(expected, "by " + group.length())));
            }
            Map<TopicPartition, OffsetAndMetadata> committed = node.admin()
                    .listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            assertThat(committed.get(tp).offset()).as(group).isEqualTo(expected);
            assertThat(committed.get(tp).metadata()).isEqualTo("by " + group.length());
            expected++;
        }

        Set<String> listed = node.admin().listGroups().all().get().stream()
                .map(GroupListing::groupId)
                .collect(Collectors.toSet());
        assertThat(listed).contains(PIPE, LONG, UNICODE);

        node.admin().deleteConsumerGroups(List.of(LONG)).all().get();
        Set<String> afterDelete = node.admin().listGroups().all().get().stream()
                .map(GroupListing::groupId)
                .collect(Collectors.toSet());
        assertThat(afterDelete).contains(PIPE, UNICODE).doesNotContain(LONG);
        assertThat(node.admin()
                        .listConsumerGroupOffsets(PIPE)
                        .partitionsToOffsetAndMetadata()
                        .get()
                        .get(tp)
                        .offset())
                .isEqualTo(2);
    }

    private static KafkaConsumer<String, String> consumer(String group) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        return Clients.consumer(node.cluster(), props);
    }
}
