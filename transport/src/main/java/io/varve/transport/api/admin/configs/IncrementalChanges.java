package io.varve.transport.api.admin.configs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * Applies IncrementalAlterConfigs operations to a resource's current overrides, as Kafka's
 * controller does: SET puts, DELETE removes, APPEND/SUBTRACT edit a list-typed config starting from
 * its current value (the override, else its default). Pure; the caller validates the result.
 *
 * @param current the resource's overrides now
 * @param topicNameOf the topic config a key stands for (itself for a topic; its synonym for a broker)
 * @param defaultOf the value a list-typed topic config has without an override
 */
record IncrementalChanges(
        Map<String, String> current,
        Function<String, Optional<String>> topicNameOf,
        Function<String, String> defaultOf) {

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
                    Optional<String> topicName = topicNameOf.apply(op.name());
                    if (topicName.isEmpty() || !TopicConfigDescriber.isList(topicName.get())) {
                        return failed(
                                Errors.INVALID_CONFIG,
                                "Can't " + type + " to key " + op.name() + " because its type is not LIST.");
                    }
                    String base = next.containsKey(op.name()) ? next.get(op.name()) : defaultOf.apply(topicName.get());
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
