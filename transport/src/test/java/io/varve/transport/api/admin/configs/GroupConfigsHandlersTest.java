package io.varve.transport.api.admin.configs;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.admin.AdminTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GROUP config resources through IncrementalAlterConfigs, AlterConfigs and DescribeConfigs. */
class GroupConfigsHandlersTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private static final byte GROUP = ConfigResource.Type.GROUP.id();

    private AdminTestContext ctx;

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void setUp() {
        ctx = new AdminTestContext(KIT, AdminTestContext.image().build());
    }

    @Test
    void incrementalSetAppliesToTheStoredConfigsOfAGroupThatNeedNotExist() {
        CompletionStage<ApiResponse> answer = incremental(
                "my-group",
                op(OpType.SET, "consumer.session.timeout.ms", "50000"),
                op(OpType.DELETE, "share.isolation.level", null));

        Controller.DescribeGroupConfigs read = ctx.controller.expectMessageClass(Controller.DescribeGroupConfigs.class);
        assertThat(read.group()).isEqualTo("my-group");
        read.replyTo()
                .tell(new Controller.GroupConfigs(
                        "my-group",
                        Map.of("share.isolation.level", "read_committed", "share.delivery.count.limit", "3")));
        Controller.ReplaceGroupConfigs replace =
                ctx.controller.expectMessageClass(Controller.ReplaceGroupConfigs.class);
        assertThat(replace.group()).isEqualTo("my-group");
        assertThat(replace.configs())
                .isEqualTo(Map.of("consumer.session.timeout.ms", "50000", "share.delivery.count.limit", "3"));
        assertThat(replace.validateOnly()).isFalse();
        replace.replyTo().tell(new Controller.OperationResult(Errors.NONE, null));

        IncrementalAlterConfigsResponseData response = body(answer);
        assertThat(response.responses()).hasSize(1);
        assertThat(response.responses().get(0).errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.responses().get(0).resourceType()).isEqualTo(GROUP);
    }

    @Test
    void incrementalRefusesWhatKafkaRefusesWithItsMessages() {
        assertRefused(
                op(OpType.SET, "consumer.session.timeout.ms", "1000"),
                Errors.INVALID_CONFIG,
                "consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms");
        assertRefused(
                op(OpType.SET, "consumer.heartbeat.interval.ms", "50000"),
                Errors.INVALID_CONFIG,
                "consumer.heartbeat.interval.ms must be less than or equal to group.consumer.max.heartbeat.interval.ms");
        assertRefused(
                op(OpType.SET, "consumer.session.timeout.ms", "abc"),
                Errors.INVALID_CONFIG,
                "Invalid value abc for configuration consumer.session.timeout.ms: Not a number of type INT");
        assertRefused(op(OpType.SET, "foo.bar", "1"), Errors.INVALID_CONFIG, "Unknown group config name: foo.bar");
        assertRefused(
                op(OpType.SET, "share.delivery.count.limit", "1"),
                Errors.INVALID_CONFIG,
                "Invalid value 1 for configuration share.delivery.count.limit: Value must be at least 2");
        assertRefused(
                op(OpType.SET, "share.isolation.level", "READ_COMMITTED"),
                Errors.INVALID_CONFIG,
                "Invalid value READ_COMMITTED for configuration share.isolation.level: String must be one of:"
                        + " read_committed, read_uncommitted");
        assertRefused(
                op(OpType.SET, "share.auto.offset.reset", "by_duration:-PT1H"),
                Errors.INVALID_CONFIG,
                "Invalid value by_duration:-PT1H for configuration share.auto.offset.reset: Invalid value"
                        + " `by_duration:-PT1H` for configuration share.auto.offset.reset. The value must be either"
                        + " 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.");
        assertRefused(
                op(OpType.APPEND, "share.isolation.level", "read_committed"),
                Errors.INVALID_CONFIG,
                "Can't APPEND to key share.isolation.level because its type is not LIST.");
    }

    @Test
    void theEmptyGroupNameIsRefusedWithoutAskingTheController() {
        IncrementalAlterConfigsResponseData response =
                body(incremental("", op(OpType.SET, "consumer.session.timeout.ms", "50000")));

        assertThat(response.responses().get(0).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(response.responses().get(0).errorMessage()).isEqualTo("Default group resources are not allowed.");
        ctx.controller.expectNoMessage();
    }

    @Test
    void legacyAlterReplacesTheWholeSet() {
        AlterConfigsRequestData.AlterConfigsResource resource = new AlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(GROUP)
                .setResourceName("g");
        resource.configs()
                .add(new AlterConfigsRequestData.AlterableConfig()
                        .setName("share.auto.offset.reset")
                        .setValue("by_duration:PT1H"));
        AlterConfigsRequestData data = new AlterConfigsRequestData().setValidateOnly(true);
        data.resources().add(resource);
        CompletionStage<ApiResponse> answer = new AlterConfigsHandler()
                .handle(ctx.context(ApiKeys.ALTER_CONFIGS, (short) 2), new AlterConfigsRequest(data, (short) 2));

        Controller.ReplaceGroupConfigs replace =
                ctx.controller.expectMessageClass(Controller.ReplaceGroupConfigs.class);
        assertThat(replace.configs()).isEqualTo(Map.of("share.auto.offset.reset", "by_duration:PT1H"));
        assertThat(replace.validateOnly()).isTrue();
        replace.replyTo().tell(new Controller.OperationResult(Errors.NONE, null));
        AlterConfigsResponseData response = body(answer);
        assertThat(response.responses().get(0).errorCode()).isEqualTo(Errors.NONE.code());
    }

    @Test
    void describeShowsEveryGroupConfigWithItsOverrideAndBrokerSynonym() {
        CompletionStage<ApiResponse> answer = describe("g", null);
        ctx.controller
                .expectMessageClass(Controller.DescribeGroupConfigs.class)
                .replyTo()
                .tell(new Controller.GroupConfigs("g", Map.of("consumer.session.timeout.ms", "50000")));

        DescribeConfigsResult result =
                ((DescribeConfigsResponseData) body(answer)).results().get(0);
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.configs())
                .extracting(DescribeConfigsResourceResult::name)
                .containsExactlyElementsOf(KafkaGroupConfigs.names());
        assertThat(result.configs()).hasSize(17);
        DescribeConfigsResourceResult session = find(result, "consumer.session.timeout.ms");
        assertThat(session.value()).isEqualTo("50000");
        assertThat(session.configSource()).isEqualTo(ConfigSource.GROUP_CONFIG.id());
        assertThat(session.synonyms())
                .extracting(s -> s.name() + "=" + s.value() + "@" + s.source())
                .containsExactly(
                        "consumer.session.timeout.ms=50000@" + ConfigSource.GROUP_CONFIG.id(),
                        "group.consumer.session.timeout.ms=45000@" + ConfigSource.DEFAULT_CONFIG.id());
        DescribeConfigsResourceResult reset = find(result, "share.auto.offset.reset");
        assertThat(reset.value()).isEqualTo("latest");
        assertThat(reset.synonyms())
                .extracting(s -> s.name() + "=" + s.value() + "@" + s.source())
                .containsExactly("share.auto.offset.reset=latest@" + ConfigSource.DEFAULT_CONFIG.id());
    }

    @Test
    void describeOneKeyAndTheEmptyGroup() {
        CompletionStage<ApiResponse> answer = describe("g", List.of("share.isolation.level"));
        ctx.controller
                .expectMessageClass(Controller.DescribeGroupConfigs.class)
                .replyTo()
                .tell(new Controller.GroupConfigs("g", Map.of()));
        DescribeConfigsResult result =
                ((DescribeConfigsResponseData) body(answer)).results().get(0);
        assertThat(result.configs())
                .extracting(c -> c.name() + "=" + c.value())
                .containsExactly("share.isolation.level=read_uncommitted");

        DescribeConfigsResult empty = ((DescribeConfigsResponseData) body(describe("", null)))
                .results()
                .get(0);
        assertThat(empty.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(empty.errorMessage()).isEqualTo("Group name must not be empty");
        assertThat(empty.configs()).isEmpty();
    }

    private void assertRefused(AlterableConfig operation, Errors error, String message) {
        CompletionStage<ApiResponse> answer = incremental("g", operation);
        ctx.controller
                .expectMessageClass(Controller.DescribeGroupConfigs.class)
                .replyTo()
                .tell(new Controller.GroupConfigs("g", Map.of()));
        IncrementalAlterConfigsResponseData response = body(answer);
        assertThat(response.responses().get(0).errorCode()).as(message).isEqualTo(error.code());
        assertThat(response.responses().get(0).errorMessage()).isEqualTo(message);
        ctx.controller.expectNoMessage(java.time.Duration.ofMillis(50));
    }

    private CompletionStage<ApiResponse> incremental(String group, AlterableConfig... ops) {
        AlterConfigsResource resource =
                new AlterConfigsResource().setResourceType(GROUP).setResourceName(group);
        for (AlterableConfig op : ops) {
            resource.configs().add(op);
        }
        IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData();
        data.resources().add(resource);
        return new IncrementalAlterConfigsHandler()
                .handle(
                        ctx.context(ApiKeys.INCREMENTAL_ALTER_CONFIGS, (short) 1),
                        new IncrementalAlterConfigsRequest(data, (short) 1));
    }

    private CompletionStage<ApiResponse> describe(String group, List<String> keys) {
        DescribeConfigsRequestData data = new DescribeConfigsRequestData()
                .setIncludeSynonyms(true)
                .setIncludeDocumentation(true)
                .setResources(List.of(new DescribeConfigsResource()
                        .setResourceType(GROUP)
                        .setResourceName(group)
                        .setConfigurationKeys(keys)));
        return new DescribeConfigsHandler(java.nio.file.Path.of("/data"))
                .handle(ctx.context(ApiKeys.DESCRIBE_CONFIGS, (short) 4), new DescribeConfigsRequest(data, (short) 4));
    }

    private static AlterableConfig op(OpType type, String name, String value) {
        return new AlterableConfig().setName(name).setConfigOperation(type.id()).setValue(value);
    }

    private static DescribeConfigsResourceResult find(DescribeConfigsResult result, String name) {
        return result.configs().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
