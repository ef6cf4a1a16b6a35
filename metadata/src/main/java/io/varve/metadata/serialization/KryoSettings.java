package io.varve.metadata.serialization;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.util.Map;
import java.util.TreeMap;

/**
 * Settings of {@link KryoSerializer}: the serializer's Pekko identifier and the explicit Kryo
 * registration id of every class that may be written, read from {@code varve.kryo.classes} (keys
 * are binary class names, {@code $} for nested classes). Every module adds its own classes there
 * in its {@code reference.conf}, inside its id range.
 *
 * @param serializerId the id Pekko stores next to every serialized payload
 * @param classIds binary class name → Kryo registration id, sorted by name
 */
public record KryoSettings(int serializerId, Map<String, Integer> classIds) {

    /** Kryo itself registers the primitives and {@code String} under ids 0–9. */
    static final int FIRST_FREE_ID = 10;

    static final String SERIALIZER_ID_PATH =
            "pekko.actor.serialization-identifiers.\"io.varve.metadata.serialization.KryoSerializer\"";

    public KryoSettings {
        classIds = Map.copyOf(classIds);
        Map<Integer, String> namesById = new TreeMap<>();
        classIds.forEach((name, id) -> {
            if (id < FIRST_FREE_ID) {
                throw new IllegalArgumentException("varve.kryo.classes.\"" + name + "\" = " + id + ": ids below "
                        + FIRST_FREE_ID + " are Kryo's own");
            }
            String clash = namesById.put(id, name);
            if (clash != null) {
                throw new IllegalArgumentException(
                        "varve.kryo.classes: id " + id + " is given to both " + clash + " and " + name);
            }
        });
    }

    public static KryoSettings fromConfig(Config config) {
        Map<String, Integer> ids = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> entry :
                config.getObject("varve.kryo.classes").entrySet()) {
            Object value = entry.getValue().unwrapped();
            if (!(value instanceof Integer id)) {
                throw new IllegalArgumentException(
                        "varve.kryo.classes.\"" + entry.getKey() + "\" must be an integer id, got " + value);
            }
            ids.put(entry.getKey(), id);
        }
        return new KryoSettings(config.getInt(SERIALIZER_ID_PATH), ids);
    }
}
