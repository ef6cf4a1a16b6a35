package io.varve.transport.api.admin.topics;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.admin.AdminTestContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CreateTopicsHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final Uuid ORDERS_ID = Uuid.fromString("tSPbqZf0QkOHGcFd1dv5dA");

    private final CreateTopicsHandler handler = new CreateTopicsHandler();
    private AdminTestContext ctx;

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void setUp() {
        ctx = new AdminTestContext(
                KIT, AdminTestContext.image().build(), Map.of("retention.ms", "3600000"), Duration.ofSeconds(5));
    }

    private CompletionStage<ApiResponse> send(short version, boolean validateOnly, CreatableTopic... topics) {
        CreateTopicsRequestData data = new CreateTopicsRequestData().setValidateOnly(validateOnly);
        for (CreatableTopic topic : topics) {
            data.topics().add(topic);
        }
        return handler.handle(
                ctx.context(ApiKeys.CREATE_TOPICS, version), new CreateTopicsRequest.Builder(data).build(version));
    }

    private static CreatableTopic topic(String name, int partitions, int replicationFactor) {
        return new CreatableTopic().setName(name).setNumPartitions(partitions).setReplicationFactor((short)
                replicationFactor);
    }

    @Test
    void createsWithDefaultsAndAnswersOnlyOnceThePartitionsAreHosted() {
        CompletableFuture<Boolean> hosted = new CompletableFuture<>();
        ctx.partitions.hostedAnswer = hosted;
        CreatableTopic orders = topic("orders", -1, -1);
        orders.configs().add(new CreatableTopicConfig().setName("segment.bytes").setValue("2097152"));

        CompletionStage<ApiResponse> answer = send((short) 7, false, orders);

        Controller.CreateTopics create = ctx.controller.expectMessageClass(Controller.CreateTopics.class);
        assertThat(create.validateOnly()).isFalse();
        assertThat(create.topics())
                .containsExactly(
                        new Controller.NewTopic("orders", 3, (short) 1, Map.of(), Map.of("segment.bytes", "2097152")));
        create.replyTo()
                .tell(new Controller.TopicResults(List.of(new Controller.TopicResult(
                        "orders", ORDERS_ID, Errors.NONE, null, 3, (short) 1, Map.of("segment.bytes", "2097152")))));

        assertThat(ctx.partitions.nextAwaited())
                .containsExactly(
                        new TopicPartition("orders", 0),
                        new TopicPartition("orders", 1),
                        new TopicPartition("orders", 2));
        assertThat(answer.toCompletableFuture()).isNotDone();
        hosted.complete(true);

        CreateTopicsResponseData response = body(answer);
        CreatableTopicResult result = response.topics().find("orders");
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.errorMessage()).isNull();
        assertThat(result.topicId()).isEqualTo(ORDERS_ID);
        assertThat(result.numPartitions()).isEqualTo(3);
        assertThat(result.replicationFactor()).isEqualTo((short) 1);
        assertThat(config(result, "segment.bytes").value()).isEqualTo("2097152");
        assertThat(config(result, "segment.bytes").configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
        assertThat(config(result, "retention.ms").value()).isEqualTo("3600000");
        assertThat(config(result, "retention.ms").configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(config(result, "cleanup.policy").value()).isEqualTo("delete");
        assertThat(config(result, "cleanup.policy").configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        // Kafka's topic configs, the two throttled-replica lists included (empty, from Kafka's default)
        assertThat(config(result, "leader.replication.throttled.replicas").value())
                .isEmpty();
        assertThat(config(result, "leader.replication.throttled.replicas").configSource())
                .isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(result.configs()).hasSize(25).allMatch(c -> !c.readOnly() && !c.isSensitive());
    }

    @Test
    void explicitAssignmentsFixCountAndWaitForEveryPartitionAtItsLeader() {
        CreatableTopic manual = topic("manual", -1, -1);
        manual.assignments()
                .add(new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(1)));
        manual.assignments()
                .add(new CreatableReplicaAssignment().setPartitionIndex(1).setBrokerIds(List.of(2)));

        CompletionStage<ApiResponse> answer = send((short) 7, false, manual);

        Controller.CreateTopics create = ctx.controller.expectMessageClass(Controller.CreateTopics.class);
        assertThat(create.topics().get(0))
                .isEqualTo(new Controller.NewTopic(
                        "manual", -1, (short) -1, Map.of(0, List.of(1), 1, List.of(2)), Map.of()));
        create.replyTo()
                .tell(new Controller.TopicResults(List.of(
                        new Controller.TopicResult("manual", ORDERS_ID, Errors.NONE, null, 2, (short) 1, Map.of()))));
        CreateTopicsResponseData response = body(answer);
        assertThat(response.topics().find("manual").errorCode()).isEqualTo(Errors.NONE.code());
        // the directory waits for each partition at its leader, here or on another node
        assertThat(ctx.partitions.nextAwaited())
                .containsExactly(new TopicPartition("manual", 0), new TopicPartition("manual", 1));
    }

    @Test
    void refusesDuplicateNamesOnceEachAndCreatesTheOthers() {
        CompletionStage<ApiResponse> answer =
                send((short) 7, false, topic("dup", 1, 1), topic("ok", 1, 1), topic("dup", 2, 1));

        Controller.CreateTopics create = ctx.controller.expectMessageClass(Controller.CreateTopics.class);
        assertThat(create.topics()).extracting(Controller.NewTopic::name).containsExactly("ok");
        create.replyTo()
                .tell(new Controller.TopicResults(List.of(
                        new Controller.TopicResult("ok", ORDERS_ID, Errors.NONE, null, 1, (short) 1, Map.of()))));

        CreateTopicsResponseData response = body(answer);
        assertThat(response.topics()).hasSize(2);
        CreatableTopicResult dup = response.topics().find("dup");
        assertThat(dup.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(dup.errorMessage()).isEqualTo("Duplicate topic name.");
        assertThat(response.topics().find("ok").errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void refusesInvalidTopicsWithoutAskingTheController() {
        CreatableTopic badConfig = topic("bad-config", 1, 1);
        badConfig
                .configs()
                .add(new CreatableTopicConfig().setName("segment.bytes").setValue("100"));
        CreatableTopic nullConfig = topic("null-config", 1, 1);
        nullConfig
                .configs()
                .add(new CreatableTopicConfig().setName("retention.ms").setValue(null));
        CreatableTopic countAndAssignment = topic("both", 2, -1);
        countAndAssignment
                .assignments()
                .add(new CreatableReplicaAssignment().setPartitionIndex(0).setBrokerIds(List.of(1)));

        CreateTopicsResponseData response = body(send(
                (short) 7,
                false,
                badConfig,
                nullConfig,
                countAndAssignment,
                topic("bad name!", 1, 1),
                topic("zero", 0, 1),
                topic("no-replicas", 1, 0)));

        ctx.controller.expectNoMessage(Duration.ofMillis(100));
        assertError(
                response,
                "bad-config",
                Errors.INVALID_CONFIG,
                "Invalid value 100 for configuration segment.bytes: Value must be at least 1048576");
        assertError(
                response,
                "null-config",
                Errors.INVALID_CONFIG,
                "Null value not supported for topic configs: retention.ms");
        assertError(
                response,
                "both",
                Errors.INVALID_REQUEST,
                "A manual partition assignment was specified, but numPartitions was not set to -1.");
        assertThat(response.topics().find("bad name!").errorCode()).isEqualTo(Errors.INVALID_TOPIC_EXCEPTION.code());
        assertError(response, "zero", Errors.INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
        assertError(
                response,
                "no-replicas",
                Errors.INVALID_REPLICATION_FACTOR,
                "Replication factor must be larger than 0.");
    }

    @Test
    void passesControllerErrorsThrough() {
        CompletionStage<ApiResponse> answer = send((short) 7, false, topic("exists", 1, 1));
        Controller.CreateTopics create = ctx.controller.expectMessageClass(Controller.CreateTopics.class);
        create.replyTo()
                .tell(new Controller.TopicResults(List.of(new Controller.TopicResult(
                        "exists",
                        Uuid.ZERO_UUID,
                        Errors.TOPIC_ALREADY_EXISTS,
                        "Topic 'exists' already exists.",
                        -1,
                        (short) -1,
                        Map.of()))));
        assertError(body(answer), "exists", Errors.TOPIC_ALREADY_EXISTS, "Topic 'exists' already exists.");
        assertThat(ctx.partitions.awaited).isEmpty();
    }

    @Test
    void validateOnlyAnswersWithoutWaitingForPartitions() {
        ctx.partitions.hostedAnswer = new CompletableFuture<>();
        CompletionStage<ApiResponse> answer = send((short) 5, true, topic("dry", 4, 1));
        Controller.CreateTopics create = ctx.controller.expectMessageClass(Controller.CreateTopics.class);
        assertThat(create.validateOnly()).isTrue();
        create.replyTo()
                .tell(new Controller.TopicResults(List.of(
                        new Controller.TopicResult("dry", Uuid.ZERO_UUID, Errors.NONE, null, 4, (short) 1, Map.of()))));

        CreatableTopicResult dry =
                ((CreateTopicsResponseData) body(answer)).topics().find("dry");
        assertThat(dry.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(dry.numPartitions()).isEqualTo(4);
        assertThat(ctx.partitions.awaited).isEmpty();
    }

    @Test
    void answersRequestTimedOutWhenPartitionsAreNotHostedInTime() {
        ctx.partitions.hostedAnswer = CompletableFuture.completedFuture(false);
        CompletionStage<ApiResponse> answer = send((short) 7, false, topic("slow", 2, 1));
        ctx.controller
                .expectMessageClass(Controller.CreateTopics.class)
                .replyTo()
                .tell(new Controller.TopicResults(List.of(
                        new Controller.TopicResult("slow", ORDERS_ID, Errors.NONE, null, 2, (short) 1, Map.of()))));
        assertError(
                body(answer),
                "slow",
                Errors.REQUEST_TIMED_OUT,
                // the request's timeout_ms (60 s by default) bounds the wait
                "Topic 'slow' was created but its 2 partition(s) were not ready within 60000 ms");
    }

    @Test
    void waitsForThePartitionsAsLongAsTheRequestAllowsButNoLessThanTheAskTimeout() throws Exception {
        // 10,000 partitions created at once on a loaded three-node cluster took over 30 s to be hosted
        // and were answered REQUEST_TIMED_OUT although the client allowed 600 s (bench/cluster-scale.sh)
        ctx.partitions.hostedAnswer = CompletableFuture.completedFuture(false);
        CreateTopicsRequestData data = new CreateTopicsRequestData().setTimeoutMs(600_000);
        data.topics().add(topic("many", 2, 1));
        CompletionStage<ApiResponse> patient = handler.handle(
                ctx.context(ApiKeys.CREATE_TOPICS, (short) 7), new CreateTopicsRequest.Builder(data).build((short) 7));
        ctx.controller
                .expectMessageClass(Controller.CreateTopics.class)
                .replyTo()
                .tell(new Controller.TopicResults(List.of(
                        new Controller.TopicResult("many", ORDERS_ID, Errors.NONE, null, 2, (short) 1, Map.of()))));
        assertError(
                body(patient),
                "many",
                Errors.REQUEST_TIMED_OUT,
                "Topic 'many' was created but its 2 partition(s) were not ready within 600000 ms");
        assertThat(ctx.partitions.awaitedTimeouts.poll(5, TimeUnit.SECONDS)).isEqualTo(Duration.ofSeconds(600));

        CreateTopicsRequestData hasty = new CreateTopicsRequestData().setTimeoutMs(1_000);
        hasty.topics().add(topic("few", 1, 1));
        handler.handle(
                ctx.context(ApiKeys.CREATE_TOPICS, (short) 7), new CreateTopicsRequest.Builder(hasty).build((short) 7));
        ctx.controller
                .expectMessageClass(Controller.CreateTopics.class)
                .replyTo()
                .tell(new Controller.TopicResults(List.of(
                        new Controller.TopicResult("few", ORDERS_ID, Errors.NONE, null, 1, (short) 1, Map.of()))));
        assertThat(ctx.partitions.awaitedTimeouts.poll(5, TimeUnit.SECONDS)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void answersRequestTimedOutWhenTheControllerDoesNotAnswer() {
        ctx = new AdminTestContext(KIT, AdminTestContext.image().build(), Map.of(), Duration.ofMillis(200));
        CompletionStage<ApiResponse> answer = send((short) 7, false, topic("lost", 1, 1));
        ctx.controller.expectMessageClass(Controller.CreateTopics.class);
        assertError(body(answer), "lost", Errors.REQUEST_TIMED_OUT, "the controller did not answer within 200 ms");
    }

    private static void assertError(CreateTopicsResponseData response, String name, Errors error, String message) {
        CreatableTopicResult result = response.topics().find(name);
        assertThat(result.errorCode()).as(name).isEqualTo(error.code());
        assertThat(result.errorMessage()).as(name).isEqualTo(message);
    }

    private static CreatableTopicConfigs config(CreatableTopicResult result, String name) {
        return result.configs().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
