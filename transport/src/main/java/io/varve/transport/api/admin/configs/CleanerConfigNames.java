package io.varve.transport.api.admin.configs;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * Kafka's broker configs of the log cleaner: their types, Kafka's defaults (to report a value that
 * equals one as {@code DEFAULT_CONFIG}) and documentation. The values come from the node's {@code
 * varve.cleaner} settings, read once at start: unlike Kafka, where all but {@code log.cleaner.enable}
 * may change at run time, Varve refuses dynamic changes of them. Immutable.
 */
final class CleanerConfigNames {
    record Key(String kafkaDefault, ConfigType type, String documentation) {}

    private static final Map<String, Key> KEYS = Map.of(
            "log.cleaner.enable",
            new Key("true", ConfigType.BOOLEAN, "Whether the log cleaner compacts topics with cleanup.policy=compact."),
            "log.cleaner.threads",
            new Key("1", ConfigType.INT, "The number of background threads to use for log cleaning."),
            "log.cleaner.backoff.ms",
            new Key("15000", ConfigType.LONG, "The amount of time to sleep when there are no logs to clean."),
            "log.cleaner.dedupe.buffer.size",
            new Key(
                    "134217728",
                    ConfigType.LONG,
                    "The total memory used for log deduplication across all cleaner threads."),
            "log.cleaner.io.buffer.load.factor",
            new Key("0.9", ConfigType.DOUBLE, "How full a cleaner thread's dedupe buffer may become."),
            "log.cleaner.io.buffer.size",
            new Key(
                    "524288",
                    ConfigType.INT,
                    "The total memory used for log cleaner I/O buffers across all cleaner threads."),
            "log.cleaner.io.max.bytes.per.second",
            new Key(
                    Double.toString(Double.MAX_VALUE),
                    ConfigType.DOUBLE,
                    "The log cleaner is throttled so that the sum of its read and write i/o is less than this on average."));

    private CleanerConfigNames() {}

    static Key key(String name) {
        Key key = KEYS.get(name);
        if (key == null) {
            throw new IllegalArgumentException("not a log cleaner config: " + name);
        }
        return key;
    }

    /**
     * The refusal of a broker config change naming any of these keys, in the words Kafka uses for a
     * read-only config (INVALID_REQUEST): the cleaner would not apply it, so storing it would only make
     * DescribeConfigs report a value not in force.
     */
    static Optional<ApiError> refuseChanges(Collection<String> names) {
        Set<String> fixed = new TreeSet<>(names);
        fixed.retainAll(KEYS.keySet());
        return fixed.isEmpty()
                ? Optional.empty()
                : Optional.of(
                        new ApiError(Errors.INVALID_REQUEST, "Cannot update these configs dynamically: " + fixed));
    }
}
