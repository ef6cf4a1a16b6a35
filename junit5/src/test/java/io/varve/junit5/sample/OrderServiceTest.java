package io.varve.junit5.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.varve.junit5.BootstrapServers;
import io.varve.junit5.Topic;
import io.varve.junit5.VarveTest;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** A test class of an application: its Kafka code runs against a real broker in the test JVM. */
@VarveTest(topics = @Topic(name = "orders", partitions = 3))
class OrderServiceTest {

    @Test
    void publishesAnOrder(@BootstrapServers String servers) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            RecordMetadata sent = producer.send(new ProducerRecord<>("orders", 1, "order-1", "2 apples"))
                    .get();
            assertEquals(1, sent.partition());
            assertEquals(0, sent.offset());
        }
    }

    @Test
    @Topic(name = "refunds") // created before this test only
    void publishesARefund(@BootstrapServers String servers) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            assertEquals(
                    0,
                    producer.send(new ProducerRecord<>("refunds", "order-1", "-2 apples"))
                            .get()
                            .offset());
        }
    }
}
