package io.varve.junit5;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.embedded.Varve;
import io.varve.connectors.embedded.VarveBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * What node a test gets: per class or per method, the topics it starts with, configuration values.
 * Built from {@link VarveTest} or from {@link VarveExtension}'s programmatic form; immutable.
 */
record NodeSpec(boolean perMethod, List<NewTopic> topics, Map<String, Object> config) {
    static final NodeSpec PER_CLASS = new NodeSpec(false, List.of(), Map.of());

    static NodeSpec of(VarveTest annotation) {
        Map<String, Object> config = new LinkedHashMap<>();
        for (String entry : annotation.config()) {
            String[] pair = keyValue(entry, "config");
            config.put(pair[0], pair[1]);
        }
        return new NodeSpec(
                annotation.perMethod(),
                Arrays.stream(annotation.topics()).map(NodeSpec::topic).toList(),
                config);
    }

    static NewTopic topic(Topic topic) {
        Map<String, String> configs = new LinkedHashMap<>();
        for (String entry : topic.configs()) {
            String[] pair = keyValue(entry, "topic config of " + topic.name());
            configs.put(pair[0], pair[1]);
        }
        Optional<Integer> partitions = topic.partitions() == -1 ? Optional.empty() : Optional.of(topic.partitions());
        return new NewTopic(topic.name(), partitions, Optional.empty()).configs(configs);
    }

    private static String[] keyValue(String entry, String what) {
        int eq = entry.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(what + " '" + entry + "' is not name=value");
        }
        return new String[] {
            entry.substring(0, eq).trim(), entry.substring(eq + 1).trim()
        };
    }

    NodeSpec withPerMethod(boolean value) {
        return new NodeSpec(value, topics, config);
    }

    NodeSpec withTopic(NewTopic topic) {
        List<NewTopic> more = new ArrayList<>(topics);
        more.add(topic);
        return new NodeSpec(perMethod, List.copyOf(more), config);
    }

    NodeSpec withConfig(String path, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(config);
        more.put(path, value);
        return new NodeSpec(perMethod, topics, Map.copyOf(more));
    }

    EmbeddedVarve start() {
        VarveBuilder builder = Varve.builder();
        config.forEach(builder::config);
        topics.forEach(builder::topic);
        return builder.start();
    }
}
