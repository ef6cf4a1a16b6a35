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
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlterConfigsHandlerTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    private final AlterConfigsHandler handler = new AlterConfigsHandler();
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
                        .build());
    }

    private CompletionStage<ApiResponse> send(boolean validateOnly, AlterConfigsResource... resources) {
        AlterConfigsRequestData data = new AlterConfigsRequestData().setValidateOnly(validateOnly);
        for (AlterConfigsResource resource : resources) {
            data.resources().add(resource);
        }
        return handler.handle(ctx.context(ApiKeys.ALTER_CONFIGS, (short) 2), new AlterConfigsRequest(data, (short) 2));
    }

    private static AlterConfigsResource resource(ConfigResource.Type type, String name, String... keyValues) {
        AlterConfigsResource resource =
                new AlterConfigsResource().setResourceType(type.id()).setResourceName(name);
        for (int i = 0; i < keyValues.length; i += 2) {
            resource.configs().add(new AlterableConfig().setName(keyValues[i]).setValue(keyValues[i + 1]));
        }
        return resource;
    }

    @Test
    void replacesTheWholeSetOfOverrides() {
        CompletionStage<ApiResponse> answer =
                send(false, resource(ConfigResource.Type.TOPIC, "orders", "cleanup.policy", "compact"));

        Controller.ReplaceConfigs replace = ctx.controller.expectMessageClass(Controller.ReplaceConfigs.class);
        assertThat(replace.resourceType()).isEqualTo("topic");
        assertThat(replace.resourceName()).isEqualTo("orders");
        assertThat(replace.configs()).isEqualTo(Map.of("cleanup.policy", "compact"));
        assertThat(replace.validateOnly()).isFalse();
        replace.replyTo().tell(new Controller.OperationResult(Errors.NONE, null));

        AlterConfigsResponseData response = body(answer);
        AlterConfigsResourceResponse result = response.responses().get(0);
        assertThat(result.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(result.resourceName()).isEqualTo("orders");
    }

    @Test
    void validatesAndRefusesWithKafkasErrors() {
        AlterConfigsResponseData response = body(send(
                true,
                resource(ConfigResource.Type.TOPIC, "orders", "min.insync.replicas", "0"),
                resource(ConfigResource.Type.TOPIC, "missing", "retention.ms", "1"),
                resource(ConfigResource.Type.TOPIC, "orders2", "retention.ms", null),
                resource(ConfigResource.Type.TOPIC, "orders3", "no.such.config", "1"),
                resource(ConfigResource.Type.BROKER, "1", "log.dirs", "/tmp"),
                resource(ConfigResource.Type.BROKER_LOGGER, "1", "root", "DEBUG")));
        ctx.controller.expectNoMessage(Duration.ofMillis(100));
        List<AlterConfigsResourceResponse> results = response.responses();
        assertThat(results.get(0).errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(results.get(0).errorMessage())
                .isEqualTo("Invalid value 0 for configuration min.insync.replicas: Value must be at least 1");
        assertThat(results.get(1).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(results.get(2).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(results.get(2).errorMessage()).isEqualTo("Null value not supported for : retention.ms");
        assertThat(results.get(3).errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(results.get(4).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(results.get(4).errorMessage()).isEqualTo("Cannot update these configs dynamically: [log.dirs]");
        assertThat(results.get(5).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(results.get(5).errorMessage())
                .isEqualTo(
                        "AlterConfigs is only supported for topics, brokers and groups, but resource type is BROKER_LOGGER");
    }

    @Test
    void refusesAnUnknownTopicConfigName() {
        AlterConfigsResourceResponse result = ((AlterConfigsResponseData)
                        body(send(false, resource(ConfigResource.Type.TOPIC, "orders", "x.y", "1"))))
                .responses()
                .get(0);
        assertThat(result.errorCode()).isEqualTo(Errors.INVALID_CONFIG.code());
        assertThat(result.errorMessage()).isEqualTo("Unknown topic config name: x.y");
    }

    @Test
    void storesBrokerDefaultsUnderTheirBrokerNames() {
        CompletionStage<ApiResponse> answer =
                send(false, resource(ConfigResource.Type.BROKER, "1", "log.retention.ms", "86400000"));
        Controller.ReplaceConfigs replace = ctx.controller.expectMessageClass(Controller.ReplaceConfigs.class);
        assertThat(replace.resourceType()).isEqualTo("broker");
        assertThat(replace.resourceName()).isEqualTo("1");
        assertThat(replace.configs()).isEqualTo(Map.of("log.retention.ms", "86400000"));
        replace.replyTo().tell(new Controller.OperationResult(Errors.NONE, null));
        assertThat(((AlterConfigsResponseData) body(answer)).responses().get(0).errorCode())
                .isEqualTo(Errors.NONE.code());
    }

    /**
     * What Kafka 4.3 answers for a broker resource (librdkafka 0081 sets {@code
     * sasl.kerberos.min.time.before.relogin} on its broker): per-broker configs for the node's id, a
     * custom key kept, and INVALID_REQUEST with Kafka's words for a wrong type, a per-broker config at
     * the cluster level, and a TLS store config without a listener prefix.
     */
    @Test
    void takesDynamicBrokerConfigsAsKafkaDoes() {
        CompletionStage<ApiResponse> answer = send(
                false,
                resource(
                        ConfigResource.Type.BROKER,
                        "1",
                        "sasl.kerberos.min.time.before.relogin",
                        "58000",
                        "background.threads",
                        "9",
                        "custom.setting",
                        "x"));
        Controller.ReplaceConfigs replace = ctx.controller.expectMessageClass(Controller.ReplaceConfigs.class);
        assertThat(replace.resourceName()).isEqualTo("1");
        assertThat(replace.configs())
                .isEqualTo(Map.of(
                        "sasl.kerberos.min.time.before.relogin", "58000",
                        "background.threads", "9",
                        "custom.setting", "x"));
        replace.replyTo().tell(new Controller.OperationResult(Errors.NONE, null));
        assertThat(((AlterConfigsResponseData) body(answer)).responses().get(0).errorCode())
                .isEqualTo(Errors.NONE.code());

        List<AlterConfigsResourceResponse> refused = List.of(
                refusal(resource(ConfigResource.Type.BROKER, "1", "background.threads", "abc")),
                refusal(resource(ConfigResource.Type.BROKER, "", "sasl.kerberos.min.time.before.relogin", "1")),
                refusal(resource(ConfigResource.Type.BROKER, "1", "ssl.keystore.location", "/k")),
                refusal(resource(ConfigResource.Type.BROKER, "", "log.retention.ms", "-5")));
        assertThat(refused)
                .extracting(AlterConfigsResourceResponse::errorCode)
                .containsOnly(Errors.INVALID_REQUEST.code());
        assertThat(refused)
                .extracting(AlterConfigsResourceResponse::errorMessage)
                .containsExactly(
                        "Invalid value abc for configuration background.threads: Not a number of type INT",
                        "Cannot update these configs at default cluster level, broker id must be specified: "
                                + "[sasl.kerberos.min.time.before.relogin]",
                        "These security configs can be dynamically updated only per-listener using the listener "
                                + "prefix: [ssl.keystore.location]",
                        "Invalid value -5 for configuration retention.ms: Value must be at least -1");
    }

    private AlterConfigsResourceResponse refusal(AlterConfigsResource resource) {
        AlterConfigsResponseData response = body(send(false, resource));
        ctx.controller.expectNoMessage(Duration.ofMillis(50));
        return response.responses().get(0);
    }
}
