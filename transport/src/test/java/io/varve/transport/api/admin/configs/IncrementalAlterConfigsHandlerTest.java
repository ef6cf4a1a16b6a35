package io.varve.transport.api.admin.configs;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.admin.AdminTestContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IncrementalAlterConfigsHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    private final IncrementalAlterConfigsHandler handler = new IncrementalAlterConfigsHandler();
    private AdminTestContext ctx;

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void setUp() {
        ctx = new AdminTestContext(
                KIT,
                AdminTestContext.image()
                        .topic(
                                "orders",
                                Uuid.fromString("tSPbqZf0QkOHGcFd1dv5dA"),
                                1,
                                1,
                                Map.of("retention.ms", "1000", "segment.ms", "60000"))
                        .topic("plain", Uuid.fromString("dzXyGQ0MRoOBuVwOHBCx0Q"), 1, 1, Map.of())
                        .brokerConfig("log.retention.ms", "5000")
                        .build());
    }

    private CompletionStage<ApiResponse> send(boolean validateOnly, AlterConfigsResource... resources) {
        IncrementalAlterConfigsRequestData data =
                new IncrementalAlterConfigsRequestData().setValidateOnly(validateOnly);
        for (AlterConfigsResource resource : resources) {
            data.resources().add(resource);
        }
        return handler.handle(
                ctx.context(ApiKeys.INCREMENTAL_ALTER_CONFIGS, (short) 1),
                new IncrementalAlterConfigsRequest.Builder(data).build((short) 1));
    }

    private static AlterConfigsResource resource(ConfigResource.Type type, String name, AlterableConfig... ops) {
        AlterConfigsResource resource =
                new AlterConfigsResource().setResourceType(type.id()).setResourceName(name);
        for (AlterableConfig op : ops) {
            resource.configs().add(op);
        }
        return resource;
    }

    private static AlterableConfig op(String name, OpType type, String value) {
        return new AlterableConfig().setName(name).setConfigOperation(type.id()).setValue(value);
    }

    private Controller.ReplaceConfigs expectReplace(Errors error, String message) {
        Controller.ReplaceConfigs replace = ctx.controller.expectMessageClass(Controller.ReplaceConfigs.class);
        replace.replyTo().tell(new Controller.OperationResult(error, message));
        return replace;
    }

    private static AlterConfigsResourceResponse only(CompletionStage<ApiResponse> answer) {
        IncrementalAlterConfigsResponseData response = body(answer);
        assertThat(response.responses()).hasSize(1);
        return response.responses().get(0);
    }

    @Test
    void setsDeletesAndAppendsAgainstTheCurrentOverrides() {
        CompletionStage<ApiResponse> answer = send(
                false,
                resource(
                        ConfigResource.Type.TOPIC,
                        "orders",
                        op("retention.ms", OpType.SET, "2000"),
                        op("segment.ms", OpType.DELETE, null),
                        op("cleanup.policy", OpType.APPEND, "compact")));

        Controller.ReplaceConfigs replace = expectReplace(Errors.NONE, null);
        assertThat(replace.resourceType()).isEqualTo("topic");
        assertThat(replace.resourceName()).isEqualTo("orders");
        assertThat(replace.validateOnly()).isFalse();
        assertThat(replace.configs()).isEqualTo(Map.of("retention.ms", "2000", "cleanup.policy", "delete,compact"));
        AlterConfigsResourceResponse result = only(answer);
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.errorMessage()).isNull();
        assertThat(result.resourceName()).isEqualTo("orders");
        assertThat(result.resourceType()).isEqualTo(ConfigResource.Type.TOPIC.id());
    }

    @Test
    void subtractsFromAListAndPassesValidateOnly() {
        ctx.metadata.update(AdminTestContext.image()
                .topic(
                        "plain",
                        Uuid.fromString("dzXyGQ0MRoOBuVwOHBCx0Q"),
                        1,
                        1,
                        Map.of("cleanup.policy", "compact,delete"))
                .offset(11L)
                .build());
        CompletionStage<ApiResponse> answer = send(
                true, resource(ConfigResource.Type.TOPIC, "plain", op("cleanup.policy", OpType.SUBTRACT, "delete")));
        Controller.ReplaceConfigs replace = expectReplace(Errors.NONE, null);
        assertThat(replace.validateOnly()).isTrue();
        assertThat(replace.configs()).isEqualTo(Map.of("cleanup.policy", "compact"));
        assertThat(only(answer).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void setsTheReassignmentToolsThrottledReplicaListsAndRefusesMalformedOnes() {
        CompletionStage<ApiResponse> answer = send(
                false,
                resource(
                        ConfigResource.Type.TOPIC,
                        "plain",
                        op("leader.replication.throttled.replicas", OpType.SET, "0:1,0:2"),
                        op("follower.replication.throttled.replicas", OpType.SET, "0:3")));
        Controller.ReplaceConfigs replace = expectReplace(Errors.NONE, null);
        assertThat(replace.configs())
                .isEqualTo(Map.of(
                        "leader.replication.throttled.replicas", "0:1,0:2",
                        "follower.replication.throttled.replicas", "0:3"));
        assertThat(only(answer).errorCode()).isEqualTo(Errors.NONE.code());

        AlterConfigsResourceResponse refused = only(send(
                false,
                resource(
                        ConfigResource.Type.TOPIC,
                        "plain",
                        op("follower.replication.throttled.replicas", OpType.SET, "0-3"))));
        ctx.controller.expectNoMessage(Duration.ofMillis(100));
        assertThat(refused.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(refused.errorMessage())
                .isEqualTo("Invalid value [0-3] for configuration follower.replication.throttled.replicas: "
                        + "follower.replication.throttled.replicas must be '*' or a list of replicas as "
                        + "partitionId:brokerId,partitionId:brokerId,...");
    }

    @Test
    void refusesAppendToANonListConfig() {
        AlterConfigsResourceResponse result = only(
                send(false, resource(ConfigResource.Type.TOPIC, "orders", op("retention.ms", OpType.APPEND, "1"))));
        ctx.controller.expectNoMessage(Duration.ofMillis(100));
        assertThat(result.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(result.errorMessage()).isEqualTo("Can't APPEND to key retention.ms because its type is not LIST.");
    }

    @Test
    void refusesInvalidValuesUnknownTopicsDuplicateKeysAndNullValues() {
        IncrementalAlterConfigsResponseData response = body(send(
                false,
                resource(ConfigResource.Type.TOPIC, "orders", op("segment.bytes", OpType.SET, "100")),
                resource(ConfigResource.Type.TOPIC, "missing", op("retention.ms", OpType.SET, "1")),
                resource(
                        ConfigResource.Type.TOPIC,
                        "plain",
                        op("retention.ms", OpType.SET, "1"),
                        op("retention.ms", OpType.DELETE, null)),
                resource(ConfigResource.Type.BROKER, "1", op("log.retention.ms", OpType.SET, null))));
        ctx.controller.expectNoMessage(Duration.ofMillis(100));
        List<AlterConfigsResourceResponse> results = response.responses();
        assertThat(results.get(0).errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(results.get(0).errorMessage())
                .isEqualTo("Invalid value 100 for configuration segment.bytes: Value must be at least 1048576");
        assertThat(results.get(1).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(results.get(1).errorMessage()).isEqualTo("The topic 'missing' does not exist.");
        assertThat(results.get(2).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(results.get(2).errorMessage()).isEqualTo("Error due to duplicate config keys");
        assertThat(results.get(3).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(results.get(3).errorMessage()).isEqualTo("Null value not supported for : log.retention.ms");
    }

    @Test
    void refusesAResourceNamedTwice() {
        IncrementalAlterConfigsResponseData response = body(send(
                false,
                resource(ConfigResource.Type.TOPIC, "orders", op("retention.ms", OpType.SET, "1")),
                resource(ConfigResource.Type.TOPIC, "orders", op("segment.ms", OpType.SET, "1"))));
        assertThat(response.responses())
                .extracting(AlterConfigsResourceResponse::errorMessage)
                .containsExactly("Each resource must appear at most once.", "Each resource must appear at most once.");
        ctx.controller.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void storesDynamicBrokerDefaultsAndRefusesReadOnlyBrokerConfigs() {
        CompletionStage<ApiResponse> answer = send(
                false,
                resource(
                        ConfigResource.Type.BROKER,
                        "",
                        op("log.retention.ms", OpType.DELETE, null),
                        op("log.cleanup.policy", OpType.APPEND, "compact"),
                        op("message.max.bytes", OpType.SET, "2000000")));
        Controller.ReplaceConfigs replace = expectReplace(Errors.NONE, null);
        assertThat(replace.resourceType()).isEqualTo("broker");
        assertThat(replace.resourceName()).isEmpty();
        assertThat(replace.configs())
                .isEqualTo(Map.of("log.cleanup.policy", "delete,compact", "message.max.bytes", "2000000"));
        assertThat(only(answer).errorCode()).isEqualTo(Errors.NONE.code());

        IncrementalAlterConfigsResponseData refused = body(send(
                false,
                resource(ConfigResource.Type.BROKER, "1", op("num.partitions", OpType.SET, "4")),
                resource(ConfigResource.Type.BROKER, "2", op("log.retention.ms", OpType.SET, "4"))));
        ctx.controller.expectNoMessage(Duration.ofMillis(100));
        assertThat(refused.responses().get(0).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(refused.responses().get(0).errorMessage())
                .isEqualTo("Cannot update these configs dynamically: [num.partitions]");
        assertThat(refused.responses().get(1).errorMessage())
                .isEqualTo("Unexpected broker id, expected 1, but received 2");
    }

    @Test
    void passesTheControllersErrorThrough() {
        CompletionStage<ApiResponse> answer =
                send(false, resource(ConfigResource.Type.TOPIC, "orders", op("retention.ms", OpType.SET, "5")));
        expectReplace(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic 'orders' does not exist.");
        AlterConfigsResourceResponse result = only(answer);
        assertThat(result.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(result.errorMessage()).isEqualTo("The topic 'orders' does not exist.");
    }
}
