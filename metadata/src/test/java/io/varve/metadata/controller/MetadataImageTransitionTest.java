package io.varve.metadata.controller;

import static io.varve.metadata.TestImages.BROKER_1;
import static io.varve.metadata.TestImages.BROKER_2;
import static io.varve.metadata.TestImages.incarnation;
import static io.varve.metadata.controller.ControllerTopicsTest.registration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.metadata.BrokerRegistration;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.metadata.controller.ControllerEvent.BrokerConfigsReplaced;
import io.varve.metadata.controller.ControllerEvent.BrokerRegistered;
import io.varve.metadata.controller.ControllerEvent.BrokersFenced;
import io.varve.metadata.controller.ControllerEvent.ControllerActivated;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import io.varve.metadata.controller.ControllerEvent.PartitionsChanged;
import io.varve.metadata.controller.ControllerEvent.PartitionsCreated;
import io.varve.metadata.controller.ControllerEvent.ProducerIdsAllocated;
import io.varve.metadata.controller.ControllerEvent.TopicConfigsReplaced;
import io.varve.metadata.controller.ControllerEvent.TopicCreated;
import io.varve.metadata.controller.ControllerEvent.TopicDeleted;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class MetadataImageTransitionTest {
    private static final Uuid ORDERS = new Uuid(1L, 2L);
    private static final MetadataImage EMPTY =
            ControllerState.initial("cluster").image();

    @Test
    void everyEventAdvancesTheOffsetByOne() {
        MetadataImage image = EMPTY;
        image = MetadataImageTransition.apply(image, new BrokerRegistered(BROKER_1, incarnation(BROKER_1.nodeId())));
        image = MetadataImageTransition.apply(image, new ProducerIdsAllocated(1, 0L, 1000));
        image = MetadataImageTransition.apply(image, new BrokerConfigsReplaced("", Map.of()));

        assertThat(EMPTY.offset()).isZero();
        assertThat(image.offset()).isEqualTo(3L);
    }

    @Test
    void registeredBrokersAreListedInIdOrderWithTheirEpochAndTheActivatedControllerIsShown() {
        MetadataImage image = MetadataImageTransition.apply(EMPTY, new BrokerRegistered(BROKER_2, incarnation(2)));
        image = MetadataImageTransition.apply(image, new BrokerRegistered(BROKER_1, incarnation(1)));
        image = MetadataImageTransition.apply(image, new ControllerActivated(2));

        assertThat(image.brokers().keySet()).containsExactly(1, 2);
        assertThat(image.registrations().get(2)).isEqualTo(new BrokerRegistration(BROKER_2, incarnation(2), 1L, false));
        assertThat(image.brokerEpoch(1)).isEqualTo(2L);
        assertThat(image.controllerId()).isEqualTo(2);
    }

    @Test
    void aFencedBrokerIsNoLongerLiveButStaysRegistered() {
        MetadataImage image = MetadataImageTransition.apply(EMPTY, new BrokerRegistered(BROKER_1, incarnation(1)));
        image = MetadataImageTransition.apply(image, new BrokerRegistered(BROKER_2, incarnation(2)));
        image = MetadataImageTransition.apply(image, new BrokersFenced(List.of(1)));

        assertThat(image.brokers().keySet()).containsExactly(2);
        assertThat(image.isLive(1)).isFalse();
        assertThat(image.brokerEpoch(1)).isEqualTo(-1L);
        assertThat(image.registrations().get(1).fenced()).isTrue();
        assertThat(image.offset()).isEqualTo(3L);
    }

    @Test
    void partitionsChangedReplacesTheirRegistrations() {
        MetadataImage image = MetadataImageTransition.apply(EMPTY, created());
        PartitionRegistration next = new PartitionRegistration(1, List.of(2), List.of(2), -1, 1, 1);
        image = MetadataImageTransition.apply(
                image, new PartitionsChanged(List.of(new PartitionChange("orders", next))));

        assertThat(image.topic("orders").orElseThrow().partitions().get(1)).isEqualTo(next);
        assertThat(image.topic("orders").orElseThrow().partitions().get(0)).isEqualTo(registration(0, 1));
        assertThat(image.topic(ORDERS).orElseThrow().configs()).isEqualTo(Map.of("retention.ms", "100"));
    }

    @Test
    void topicCreatedAddsTopicUnderNameAndId() {
        MetadataImage image = MetadataImageTransition.apply(EMPTY, created());

        TopicImage topic = image.topic(ORDERS).orElseThrow();
        assertThat(topic.name()).isEqualTo("orders");
        assertThat(topic.partitions().keySet()).containsExactly(0, 1);
        assertThat(topic.configs()).isEqualTo(Map.of("retention.ms", "100"));
        assertThat(image.topicNamesById()).isEqualTo(Map.of(ORDERS, "orders"));
    }

    @Test
    void partitionsCreatedExtendsTheTopicKeepingIdAndConfigs() {
        MetadataImage image = MetadataImageTransition.apply(EMPTY, created());
        image = MetadataImageTransition.apply(image, new PartitionsCreated("orders", Map.of(2, registration(2, 1))));

        TopicImage topic = image.topic("orders").orElseThrow();
        assertThat(topic.partitions().keySet()).containsExactly(0, 1, 2);
        assertThat(topic.topicId()).isEqualTo(ORDERS);
        assertThat(topic.configs()).isEqualTo(Map.of("retention.ms", "100"));
    }

    @Test
    void configsAreReplacedAsAWhole() {
        MetadataImage image = MetadataImageTransition.apply(EMPTY, created());
        image = MetadataImageTransition.apply(image, new TopicConfigsReplaced("orders", Map.of("segment.ms", "5")));
        image = MetadataImageTransition.apply(image, new BrokerConfigsReplaced("1", Map.of("log.retention.ms", "9")));

        assertThat(image.topic("orders").orElseThrow().configs()).isEqualTo(Map.of("segment.ms", "5"));
        assertThat(image.brokerConfigs("1")).isEqualTo(Map.of("log.retention.ms", "9"));
        assertThat(image.brokerConfigs(MetadataImage.CLUSTER_LEVEL)).isEmpty();
        assertThat(image.brokerConfigsOf(1)).isEqualTo(Map.of("log.retention.ms", "9"));
    }

    /** Kafka keeps a broker's own dynamic configs apart from the cluster level's; its own win. */
    @Test
    void brokerConfigsAreKeptPerEntity() {
        MetadataImage image = MetadataImageTransition.apply(
                EMPTY, new BrokerConfigsReplaced("", Map.of("log.retention.ms", "1", "message.max.bytes", "2")));
        image = MetadataImageTransition.apply(image, new BrokerConfigsReplaced("1", Map.of("log.retention.ms", "3")));

        assertThat(image.brokerConfigs("")).isEqualTo(Map.of("log.retention.ms", "1", "message.max.bytes", "2"));
        assertThat(image.brokerConfigs("1")).isEqualTo(Map.of("log.retention.ms", "3"));
        assertThat(image.brokerConfigsOf(1)).isEqualTo(Map.of("log.retention.ms", "3", "message.max.bytes", "2"));
        assertThat(image.brokerConfigsOf(2)).isEqualTo(Map.of("log.retention.ms", "1", "message.max.bytes", "2"));

        image = MetadataImageTransition.apply(image, new BrokerConfigsReplaced("1", Map.of()));
        assertThat(image.brokerConfigs()).containsOnlyKeys("");
    }

    @Test
    void topicDeletedRemovesNameAndId() {
        MetadataImage image = MetadataImageTransition.apply(EMPTY, created());
        image = MetadataImageTransition.apply(image, new TopicDeleted("orders", ORDERS));

        assertThat(image.topicsByName()).isEmpty();
        assertThat(image.topicNamesById()).isEmpty();
        assertThat(image.offset()).isEqualTo(2L);
    }

    @Test
    void imagesAreUnmodifiable() {
        MetadataImage image = MetadataImageTransition.apply(EMPTY, created());

        assertThatThrownBy(() -> image.topicsByName().remove("orders"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(
                        () -> image.topic("orders").orElseThrow().partitions().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void eventForUnknownTopicIsABug() {
        assertThatThrownBy(() -> MetadataImageTransition.apply(EMPTY, new TopicConfigsReplaced("nope", Map.of())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("nope");
    }

    @Test
    void stateCountsProducerIdsPastTheLastBlock() {
        ControllerState state = ControllerState.initial("cluster").apply(new ProducerIdsAllocated(1, 0L, 1000));

        assertThat(state.apply(new ProducerIdsAllocated(1, 1000L, 1000)).nextProducerId())
                .isEqualTo(2000L);
        assertThat(state.apply(created()).nextProducerId()).isEqualTo(1000L);
    }

    private static TopicCreated created() {
        return new TopicCreated(
                "orders", ORDERS, Map.of(1, registration(1, 2), 0, registration(0, 1)), Map.of("retention.ms", "100"));
    }
}
