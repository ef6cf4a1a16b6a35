package io.varve.group.internal;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.TopicImage;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/** Metadata images that hold only topics (by name, with ids the test chooses or derives). */
final class TestImages {
    private TestImages() {}

    /** An image at {@code offset} with {@code topics}, each with the id {@link #idOf} its name. */
    static MetadataImage withTopics(long offset, String... topics) {
        Map<String, Uuid> ids = new HashMap<>();
        for (String topic : topics) {
            ids.put(topic, idOf(topic));
        }
        return withTopicIds(offset, ids);
    }

    static MetadataImage withTopicIds(long offset, Map<String, Uuid> topics) {
        Map<String, TopicImage> byName = new HashMap<>();
        Map<Uuid, String> names = new HashMap<>();
        topics.forEach((name, id) -> {
            byName.put(name, new TopicImage(name, id, Map.of(), Map.of()));
            names.put(id, name);
        });
        return new MetadataImage(offset, "cluster", 1, Map.of(), Map.copyOf(byName), Map.copyOf(names), Map.of());
    }

    /** A fixed id per topic name. */
    static Uuid idOf(String topic) {
        return new Uuid(7L, topic.hashCode());
    }
}
