package io.varve.metadata.controller;

import static io.varve.metadata.TestImages.BROKER_1;
import static io.varve.metadata.TestImages.BROKER_2;
import static io.varve.metadata.TestImages.incarnation;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.Controller.AlterPartition;
import io.varve.metadata.Controller.IsrMember;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.controller.ControllerEvent.BrokerRegistered;
import io.varve.metadata.controller.ControllerEvent.BrokersFenced;
import io.varve.metadata.controller.ControllerEvent.TopicCreated;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Kafka's AlterPartition checks, in KRaft's order, against one partition led by broker 1. */
class AlterPartitionCheckTest {
    private static final BrokerInfo BROKER_3 = new BrokerInfo(3, "127.0.0.3", 9092, null);
    // brokers 1, 2, 3 registered at epochs 1, 2, 3; partition 0 of "t": replicas 1,2,3, ISR 1,2, leader 1
    private static final MetadataImage IMAGE = MetadataImageTransition.applyAll(
            ControllerState.initial("c").image(),
            List.of(
                    new BrokerRegistered(BROKER_1, incarnation(1)),
                    new BrokerRegistered(BROKER_2, incarnation(2)),
                    new BrokerRegistered(BROKER_3, incarnation(3)),
                    new TopicCreated(
                            "t",
                            new Uuid(1, 1),
                            Map.of(0, new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 2), 1, 5, 9)),
                            Map.of())));

    private static AlterPartition request(
            int leader, long leaderBrokerEpoch, int leaderEpoch, int partitionEpoch, IsrMember... isr) {
        return new AlterPartition("t", 0, leader, leaderBrokerEpoch, leaderEpoch, partitionEpoch, List.of(isr), null);
    }

    private static Errors error(MetadataImage image, AlterPartition request) {
        return AlterPartitionCheck.check(image, request).error();
    }

    @Test
    void anExpansionByTheLeaderAtTheCurrentEpochsIsAcceptedWithTheNextPartitionEpoch() {
        var checked = AlterPartitionCheck.check(
                IMAGE, request(1, 1L, 5, 9, new IsrMember(1, 1L), new IsrMember(2, 2L), new IsrMember(3, 3L)));

        assertThat(checked.error()).isEqualTo(Errors.NONE);
        assertThat(checked.value())
                .isEqualTo(new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 2, 3), 1, 5, 10));
    }

    @Test
    void theSameIsrChangesNothing() {
        var checked =
                AlterPartitionCheck.check(IMAGE, request(1, 1L, 5, 9, new IsrMember(1, -1L), new IsrMember(2, -1L)));

        assertThat(checked.value())
                .isEqualTo(IMAGE.topic("t").orElseThrow().partitions().get(0));
    }

    @Test
    void staleOrWrongRequestsGetKafkasErrors() {
        IsrMember one = new IsrMember(1, -1L);
        assertThat(error(IMAGE, request(1, 7L, 5, 9, one))).isEqualTo(Errors.STALE_BROKER_EPOCH);
        assertThat(error(IMAGE, new AlterPartition("nope", 0, 1, 1L, 5, 9, List.of(one), null)))
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
        assertThat(error(IMAGE, request(1, 1L, 6, 9, one))).isEqualTo(Errors.NOT_CONTROLLER);
        assertThat(error(IMAGE, request(1, 1L, 4, 9, one))).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(error(IMAGE, request(2, 2L, 5, 9, new IsrMember(2, -1L)))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(IMAGE, request(1, 1L, 5, 8, one))).isEqualTo(Errors.INVALID_UPDATE_VERSION);
        assertThat(error(IMAGE, request(1, 1L, 5, 9, one, new IsrMember(4, -1L))))
                .isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(IMAGE, request(1, 1L, 5, 9, one, one))).isEqualTo(Errors.INVALID_REQUEST);
        assertThat(error(IMAGE, request(1, 1L, 5, 9, new IsrMember(2, -1L)))).isEqualTo(Errors.INVALID_REQUEST);
    }

    @Test
    void aMemberMustBeLiveAtTheBrokerEpochItFetchedWith() {
        assertThat(error(IMAGE, request(1, 1L, 5, 9, new IsrMember(1, -1L), new IsrMember(3, 2L))))
                .isEqualTo(Errors.INELIGIBLE_REPLICA);
        MetadataImage fenced = MetadataImageTransition.apply(IMAGE, new BrokersFenced(List.of(3)));
        assertThat(error(fenced, request(1, 1L, 5, 9, new IsrMember(1, -1L), new IsrMember(3, -1L))))
                .isEqualTo(Errors.INELIGIBLE_REPLICA);
    }
}
