package io.varve.it.support;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Prints Apache Kafka's own table of broker configs, one per line ({@code name TYPE mode default},
 * tab-separated, sorted by name),
 * run in a child JVM on Kafka's classpath (kafka-server 4.3.1; reflection, because this module does
 * not compile against the broker). The mode is {@code read-only} (not dynamic), {@code per-broker},
 * {@code cluster-wide}, or {@code listener-only} (a dynamic security config that needs a listener
 * prefix). {@code BrokerConfigTableTest} compares it with Varve's copy in the transport module.
 */
public final class KafkaBrokerConfigsProbe {
    private KafkaBrokerConfigsProbe() {}

    public static void main(String[] args) throws ReflectiveOperationException {
        Class<?> kafkaConfig = Class.forName("org.apache.kafka.server.config.AbstractKafkaConfig");
        Object configDef = kafkaConfig.getField("CONFIG_DEF").get(null);
        Map<?, ?> staticKeys =
                (Map<?, ?>) configDef.getClass().getMethod("configKeys").invoke(configDef);
        Class<?> dynamic = Class.forName("org.apache.kafka.server.config.DynamicConfig$Broker");
        Map<?, ?> dynamicKeys = (Map<?, ?>) dynamic.getMethod("configKeys").invoke(null);
        Class<?> brokerConfig = Class.forName("org.apache.kafka.server.config.DynamicBrokerConfig");
        @SuppressWarnings("unchecked")
        Map<String, String> modes = (Map<String, String>)
                brokerConfig.getMethod("dynamicConfigUpdateModes").invoke(null);
        @SuppressWarnings("unchecked")
        Set<String> listenerOnly =
                (Set<String>) brokerConfig.getField("DYNAMIC_SECURITY_CONFIGS").get(null);

        Map<String, String> lines = new TreeMap<>();
        staticKeys.forEach((name, key) -> lines.put((String) name, describe(key, "read-only")));
        dynamicKeys.forEach((name, key) -> {
            String mode = listenerOnly.contains(name) ? "listener-only" : modes.getOrDefault(name, "cluster-wide");
            lines.put((String) name, describe(key, mode));
        });
        lines.forEach((name, rest) -> System.out.println(name + "\t" + rest));
    }

    /** "TYPE\tmode\tdefault" (the default as Kafka prints it, empty when there is none). */
    private static String describe(Object configKey, String mode) {
        try {
            Object type = configKey.getClass().getField("type").get(configKey);
            Object defaultValue = configKey.getClass().getField("defaultValue").get(configKey);
            Class<?> configDef = Class.forName("org.apache.kafka.common.config.ConfigDef");
            Object noDefault = configDef.getField("NO_DEFAULT_VALUE").get(null);
            Method convert = configDef.getMethod("convertToString", Object.class, type.getClass());
            String printed = defaultValue == null || defaultValue == noDefault
                    ? ""
                    : String.valueOf(convert.invoke(null, defaultValue, type));
            Method name = type.getClass().getMethod("name");
            return name.invoke(type) + "\t" + mode + "\t"
                    + printed.replace('\t', ' ').replace('\n', ' ');
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
