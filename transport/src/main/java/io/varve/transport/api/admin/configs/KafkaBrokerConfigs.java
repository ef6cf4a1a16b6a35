package io.varve.transport.api.admin.configs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * Apache Kafka's table of broker configs (4.3.1, read from {@code kafka-broker-configs.tsv}): each
 * name's type, whether and where it may change at run time, and its default, and Kafka's checks of a
 * dynamic broker config change (its {@code DynamicBrokerConfig.validateConfigs}), so that
 * AlterConfigs and IncrementalAlterConfigs on a broker resource accept and refuse what Kafka does.
 * Immutable; safe from any thread.
 */
final class KafkaBrokerConfigs {
    private static final String RESOURCE = "kafka-broker-configs.tsv";
    private static final String LISTENER_PREFIX = "listener.name.";

    /** How a config may change: Kafka's {@code dynamicConfigUpdateModes}, plus read-only and listener-only. */
    enum Mode {
        READ_ONLY,
        PER_BROKER,
        CLUSTER_WIDE,
        /** A TLS key/trust store config: dynamic only under a listener prefix. */
        LISTENER_ONLY
    }

    /** One config: its type, mode and Kafka's default ({@code null} when it has none). */
    record Definition(ConfigDef.Type type, Mode mode, String defaultValue) {
        boolean isDynamic() {
            return mode != Mode.READ_ONLY;
        }
    }

    private static final Map<String, Definition> DEFINITIONS = load();

    private KafkaBrokerConfigs() {}

    static Optional<Definition> find(String name) {
        return Optional.ofNullable(DEFINITIONS.get(name));
    }

    /**
     * Kafka's answer to a new set of dynamic configs for a broker resource ({@code perBroker}: a node
     * id, else the cluster level ""), in Kafka's order: read-only configs, then security configs
     * without a listener prefix, then values of the wrong type, then (cluster level) per-broker
     * configs; INVALID_REQUEST with Kafka's message. A name Kafka does not know is accepted as is.
     */
    static Optional<ApiError> validate(Map<String, String> configs, boolean perBroker) {
        Set<String> readOnly = new TreeSet<>();
        Set<String> listenerOnly = new TreeSet<>();
        Set<String> brokerOnly = new TreeSet<>();
        for (String name : configs.keySet()) {
            Optional<Definition> definition = find(baseName(name));
            if (name.startsWith(LISTENER_PREFIX)) {
                brokerOnly.add(name);
            } else if (definition.isPresent()) {
                switch (definition.get().mode()) {
                    case READ_ONLY -> readOnly.add(name);
                    case LISTENER_ONLY -> listenerOnly.add(name);
                    case PER_BROKER -> brokerOnly.add(name);
                    case CLUSTER_WIDE -> {}
                }
            }
        }
        if (!readOnly.isEmpty()) {
            return refuse("Cannot update these configs dynamically: " + readOnly);
        }
        if (!listenerOnly.isEmpty()) {
            return refuse("These security configs can be dynamically updated only per-listener using the listener "
                    + "prefix: " + listenerOnly);
        }
        for (Map.Entry<String, String> config : configs.entrySet()) {
            Optional<ApiError> badType = checkType(baseName(config.getKey()), config.getValue());
            if (badType.isPresent()) {
                return badType;
            }
        }
        if (!perBroker && !brokerOnly.isEmpty()) {
            return refuse(
                    "Cannot update these configs at default cluster level, broker id must be specified: " + brokerOnly);
        }
        return Optional.empty();
    }

    /** {@code name} without a {@code listener.name.<listener>.} prefix. */
    static String baseName(String name) {
        if (!name.startsWith(LISTENER_PREFIX)) {
            return name;
        }
        int dot = name.indexOf('.', LISTENER_PREFIX.length());
        return dot < 0 ? name : name.substring(dot + 1);
    }

    private static Optional<ApiError> checkType(String name, String value) {
        Optional<Definition> definition = find(name).filter(Definition::isDynamic);
        if (definition.isEmpty()) {
            return Optional.empty();
        }
        try {
            ConfigDef.parseType(name, value, definition.get().type());
            return Optional.empty();
        } catch (ConfigException e) {
            return refuse(e.getMessage());
        }
    }

    private static Optional<ApiError> refuse(String message) {
        // Kafka answers INVALID_REQUEST for any refused broker config change (KAFKA-13609)
        return Optional.of(new ApiError(Errors.INVALID_REQUEST, message));
    }

    private static Map<String, Definition> load() {
        Map<String, Definition> definitions = new HashMap<>();
        try (InputStream in = KafkaBrokerConfigs.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t", -1);
                definitions.put(
                        fields[0],
                        new Definition(
                                ConfigDef.Type.valueOf(fields[1]),
                                Mode.valueOf(fields[2]
                                        .toUpperCase(java.util.Locale.ROOT)
                                        .replace('-', '_')),
                                fields[3].isEmpty() ? null : fields[3]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.copyOf(definitions);
    }
}
