package io.varve.transport.api.admin.configs;

import io.varve.storage.log.LogConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * Applies IncrementalAlterConfigs operations to a resource's current overrides, as Kafka does: SET
 * puts, DELETE removes, APPEND/SUBTRACT edit a list-typed config starting from its current value (the
 * override, else its default). Pure; the caller validates the result.
 *
 * @param current the resource's overrides now
 * @param isList whether a key is list-typed (only those may be appended to or subtracted from)
 * @param defaultOf the value a list-typed key has without an override
 * @param notAList the message refusing APPEND/SUBTRACT on another key (INVALID_CONFIG)
 */
record IncrementalChanges(
        Map<String, String> current,
        Predicate<String> isList,
        Function<String, String> defaultOf,
        BiFunction<OpType, String, String> notAList) {

    /** Topic configs, with the controller's words for a non-list key. */
    static IncrementalChanges forTopic(Map<String, String> current, Function<String, String> defaultOf) {
        return new IncrementalChanges(
                current,
                key -> LogConfig.names().contains(key) && TopicConfigDescriber.isList(key),
                defaultOf,
                (type, key) -> "Can't " + type + " to key " + key + " because its type is not LIST.");
    }

    /**
     * A broker resource's dynamic configs: a {@code log.*} default takes the list type and default of
     * its topic config ({@code topicDefaultOf}, by topic config name), any other key Kafka's broker
     * table's; Kafka's words for a key that is not a list or that it does not know.
     */
    static IncrementalChanges forBroker(Map<String, String> current, Function<String, String> topicDefaultOf) {
        return new IncrementalChanges(
                current,
                key -> BrokerConfigNames.topicName(key)
                        .map(TopicConfigDescriber::isList)
                        .orElseGet(() -> KafkaBrokerConfigs.find(key)
                                .map(d -> d.type() == ConfigDef.Type.LIST)
                                .orElse(false)),
                key -> BrokerConfigNames.topicName(key).map(topicDefaultOf).orElseGet(() -> KafkaBrokerConfigs.find(key)
                        .map(KafkaBrokerConfigs.Definition::defaultValue)
                        .orElse(null)),
                (type, key) -> BrokerConfigNames.topicName(key).isEmpty()
                                && KafkaBrokerConfigs.find(key).isEmpty()
                        ? "Unknown config name: " + key
                        : "Config value " + type.name().toLowerCase(Locale.ROOT) + " is not allowed for config key: "
                                + key);
    }

    /** The new overrides, or the error that refuses the whole resource. */
    record Outcome(Map<String, String> overrides, ApiError error) {}

    Outcome apply(Iterable<AlterableConfig> operations) {
        Map<String, String> next = new HashMap<>(current);
        for (AlterableConfig op : operations) {
            OpType type = OpType.forId(op.configOperation());
            if (type == null) {
                return failed(Errors.INVALID_REQUEST, "Unknown config operation " + op.configOperation());
            }
            switch (type) {
                case SET -> next.put(op.name(), op.value());
                case DELETE -> next.remove(op.name());
                case APPEND, SUBTRACT -> {
                    if (!isList.test(op.name())) {
                        return failed(Errors.INVALID_CONFIG, notAList.apply(type, op.name()));
                    }
                    String base = next.containsKey(op.name()) ? next.get(op.name()) : defaultOf.apply(op.name());
                    next.put(op.name(), edit(base, op.value(), type == OpType.APPEND));
                }
            }
        }
        return new Outcome(next, null);
    }

    private static String edit(String base, String value, boolean append) {
        List<String> parts = new ArrayList<>();
        if (base != null && !base.isBlank()) {
            Arrays.stream(base.split(",")).map(String::trim).forEach(parts::add);
        }
        for (String item : value.split(",")) {
            String trimmed = item.trim();
            if (append && !parts.contains(trimmed)) {
                parts.add(trimmed);
            } else if (!append) {
                parts.remove(trimmed);
            }
        }
        return String.join(",", parts);
    }

    private static Outcome failed(Errors error, String message) {
        return new Outcome(null, new ApiError(error, message));
    }
}
