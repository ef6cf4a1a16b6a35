package io.varve.metadata.controller;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.protocol.Errors;

/**
 * Checks a topic's config overrides: no null names or values (Kafka rejects those too), then the
 * node-supplied validator, which knows the storage module's log configs that this module cannot
 * import. A rejection is INVALID_CONFIG with the validator's message. Stateless if the validator is.
 */
final class TopicConfigCheck {
    private final Function<Map<String, String>, Optional<String>> validator;

    TopicConfigCheck(Function<Map<String, String>, Optional<String>> validator) {
        this.validator = validator;
    }

    Validated<Map<String, String>> check(Map<String, String> configs) {
        if (configs == null || configs.isEmpty()) {
            return Validated.ok(Map.of());
        }
        for (Map.Entry<String, String> entry : configs.entrySet()) {
            if (entry.getKey() == null || entry.getValue() == null) {
                return Validated.reject(
                        Errors.INVALID_CONFIG, "Null value not supported for topic config '" + entry.getKey() + "'.");
            }
        }
        Map<String, String> copy = Map.copyOf(configs);
        return validator
                .apply(copy)
                .<Validated<Map<String, String>>>map(message -> Validated.reject(Errors.INVALID_CONFIG, message))
                .orElseGet(() -> Validated.ok(copy));
    }
}
