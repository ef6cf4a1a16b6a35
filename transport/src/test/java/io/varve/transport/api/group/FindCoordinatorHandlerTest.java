package io.varve.transport.api.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class FindCoordinatorHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final TestBroker broker = new TestBroker(testKit, false);
    private final FindCoordinatorHandler handler = new FindCoordinatorHandler();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void answersOneGroupKeyWithThisNodeBeforeV4() {
        FindCoordinatorResponseData data = TestBroker.body(broker.call(
                handler,
                new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                                .setKey("orders-group")
                                .setKeyType(CoordinatorType.GROUP.id()))
                        .build((short) 3)));

        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.nodeId()).isEqualTo(1);
        assertThat(data.host()).isEqualTo("127.0.0.1");
        assertThat(data.port()).isEqualTo(9092);
    }

    @Test
    void answersEveryKeyOfABatchFromV4() {
        FindCoordinatorResponseData data = TestBroker.body(broker.call(handler, batched(CoordinatorType.GROUP, 6)));

        assertThat(data.coordinators())
                .extracting(
                        Coordinator::key, Coordinator::errorCode, Coordinator::nodeId, Coordinator::host, c -> c.port())
                .containsExactly(
                        tuple("g1", Errors.NONE.code(), 1, "127.0.0.1", 9092),
                        tuple("g2", Errors.NONE.code(), 1, "127.0.0.1", 9092));
    }

    @Test
    void transactionKeysHaveNoCoordinatorYet() {
        FindCoordinatorResponseData data =
                TestBroker.body(broker.call(handler, batched(CoordinatorType.TRANSACTION, 4)));

        assertThat(data.coordinators())
                .extracting(Coordinator::errorCode, Coordinator::nodeId, Coordinator::host, c -> c.port())
                .containsOnly(tuple(Errors.COORDINATOR_NOT_AVAILABLE.code(), -1, "", -1));
    }

    @Test
    void shareKeysAreAnInvalidRequest() {
        FindCoordinatorResponseData data = TestBroker.body(broker.call(handler, batched(CoordinatorType.SHARE, 6)));

        assertThat(data.coordinators()).extracting(Coordinator::errorCode).containsOnly(Errors.INVALID_REQUEST.code());
    }

    @Test
    void noCoordinatorWhileThisNodeIsNotRegistered() {
        broker.update(Images.withTopic(Images.cluster(TestBroker.NODE_2), "t", Uuid.randomUuid(), 1, 2, 0));

        FindCoordinatorResponseData data = TestBroker.body(broker.call(
                handler,
                new FindCoordinatorRequest.Builder(
                                new FindCoordinatorRequestData().setKey("g").setKeyType(CoordinatorType.GROUP.id()))
                        .build((short) 2)));

        assertThat(data.errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(data.nodeId()).isEqualTo(-1);
        assertThat(data.host()).isEmpty();
        assertThat(data.port()).isEqualTo(-1);
    }

    private static FindCoordinatorRequest batched(CoordinatorType type, int version) {
        return new FindCoordinatorRequest.Builder(
                        new FindCoordinatorRequestData().setKeyType(type.id()).setCoordinatorKeys(List.of("g1", "g2")))
                .build((short) version);
    }
}
