package io.varve.transport.api.admin.configs;

import io.varve.metadata.Controller;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.admin.AdminAsk;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * GROUP config resources for AlterConfigs, IncrementalAlterConfigs and DescribeConfigs: the group's
 * stored configs are read from and written to the controller ({@code DescribeGroupConfigs}, {@code
 * ReplaceGroupConfigs}); names and values are checked here as Kafka checks them ({@link
 * KafkaGroupConfigs}). Any group name but "" is accepted, whether the group exists or not, as in
 * Kafka. Stateless.
 */
final class GroupConfigChanges {
    private GroupConfigChanges() {}

    /** Kafka refuses "" (there are no cluster-wide group defaults) when altering. */
    static Optional<ApiError> checkNameForAlter(String group) {
        return group == null || group.isEmpty()
                ? Optional.of(new ApiError(Errors.INVALID_REQUEST, "Default group resources are not allowed."))
                : Optional.empty();
    }

    /** Kafka's DescribeConfigs answer for "". */
    static Optional<ApiError> checkNameForDescribe(String group) {
        return group == null || group.isEmpty()
                ? Optional.of(new ApiError(Errors.INVALID_REQUEST, "Group name must not be empty"))
                : Optional.empty();
    }

    /** AlterConfigs: the group's configs become exactly {@code configs}. */
    static CompletionStage<ApiError> replace(
            BrokerServices services, String group, Map<String, String> configs, boolean validateOnly) {
        Optional<ApiError> refused = checkNameForAlter(group).or(() -> KafkaGroupConfigs.validate(configs));
        if (refused.isPresent()) {
            return CompletableFuture.completedFuture(refused.get());
        }
        CompletionStage<Controller.OperationResult> asked = AdminAsk.ask(
                services.controller(),
                replyTo -> new Controller.ReplaceGroupConfigs(group, Map.copyOf(configs), validateOnly, replyTo),
                services);
        return asked.handle((result, failure) -> failure != null
                ? AdminAsk.errorOf(failure, "the controller", services)
                : new ApiError(result.error(), result.message()));
    }

    /** IncrementalAlterConfigs: {@code operations} applied to the group's stored configs. */
    static CompletionStage<ApiError> alter(
            BrokerServices services, String group, List<AlterableConfig> operations, boolean validateOnly) {
        Optional<ApiError> badName = checkNameForAlter(group);
        if (badName.isPresent()) {
            return CompletableFuture.completedFuture(badName.get());
        }
        return stored(services, group).thenCompose(current -> {
            if (current.error() != null) {
                return CompletableFuture.completedFuture(current.error());
            }
            IncrementalChanges.Outcome outcome = new IncrementalChanges(
                            current.configs(),
                            key -> false,
                            key -> null,
                            (type, key) -> "Can't " + type + " to key " + key + " because its type is not LIST.")
                    .apply(operations);
            return outcome.error() != null
                    ? CompletableFuture.completedFuture(outcome.error())
                    : replace(services, group, outcome.overrides(), validateOnly);
        });
    }

    /** The group's stored configs, or the error to answer when the controller did not tell. */
    record Stored(Map<String, String> configs, ApiError error) {}

    static CompletionStage<Stored> stored(BrokerServices services, String group) {
        CompletionStage<Controller.GroupConfigs> asked = AdminAsk.ask(
                services.controller(), replyTo -> new Controller.DescribeGroupConfigs(group, replyTo), services);
        return asked.handle((result, failure) -> failure != null
                ? new Stored(Map.of(), AdminAsk.errorOf(failure, "the controller", services))
                : new Stored(result.configs(), null));
    }
}
