package io.varve.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.connectors.embedded.EmbeddedVarve;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** One node for the class, its topics, and the parameters the extension resolves. */
@VarveTest(topics = @Topic(name = "orders", partitions = 3), config = "varve.transport.auto-create-topics=false")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VarveTestAnnotationTest {
    private static String firstServers;

    @Test
    @Order(1)
    void bootstrapServersReachANodeWithTheClassTopics(@BootstrapServers String servers) throws Exception {
        firstServers = servers;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            RecordMetadata written =
                    producer.send(new ProducerRecord<>("orders", 2, "k", "v")).get();
            assertThat(written.partition()).isEqualTo(2);
            assertThat(written.offset()).isZero();
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            TopicPartition tp = new TopicPartition("orders", 2);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, String>> read = new ArrayList<>();
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (read.isEmpty() && System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
            assertThat(read).extracting(ConsumerRecord::value).containsExactly("v");
        }
    }

    @Test
    @Order(2)
    @Topic(name = "audit", partitions = 2, configs = "retention.ms=60000")
    @Topic(name = "events")
    void theSameNodeServesTheWholeClassAndMethodTopicsAreAdded(EmbeddedVarve node, @BootstrapServers String servers)
            throws Exception {
        assertThat(servers).isEqualTo(firstServers).isEqualTo(node.bootstrapServers());
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            assertThat(admin.listTopics().names().get()).isEqualTo(Set.of("orders", "audit", "events"));
        }
        assertThat(node.partitionCount("audit")).isEqualTo(2);
        assertThat(node.partitionCount("events")).isEqualTo(1);
    }
}
