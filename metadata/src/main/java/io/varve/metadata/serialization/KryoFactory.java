package io.varve.metadata.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/**
 * Builds one configured {@link Kryo} instance: registration required, every class of {@link
 * KryoSettings#classIds()} registered under its explicit id, references off (messages are trees, and
 * skipping the reference table keeps the bytes smaller). Classes without a serializer here use
 * Kryo's default for their type (records: {@code RecordSerializer}; typed actor refs: {@link
 * ActorRefKryoSerializer}). Thread-safe; each {@code Kryo} it makes is not and lives in the pool.
 */
final class KryoFactory {
    private static final String IMMUTABLE_COLLECTIONS = "java.util.ImmutableCollections$";
    private static final String UNMODIFIABLE_COLLECTIONS = "java.util.Collections$Unmodifiable";

    private final KryoSettings settings;
    private final ClassLoader classLoader;
    private final Supplier<ActorRefResolver> resolver;

    KryoFactory(KryoSettings settings, ClassLoader classLoader, Supplier<ActorRefResolver> resolver) {
        this.settings = settings;
        this.classLoader = classLoader;
        this.resolver = resolver;
    }

    Kryo create() {
        Kryo kryo = new Kryo();
        kryo.setClassLoader(classLoader);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        // before any registration: register() fixes each class's serializer from the defaults
        kryo.addDefaultSerializer(ActorRef.class, new ActorRefKryoSerializer(resolver));
        settings.classIds().entrySet().stream()
                .sorted(Map.Entry.comparingByValue(Comparator.naturalOrder()))
                .forEach(entry -> register(kryo, classFor(entry.getKey()), entry.getValue()));
        return kryo;
    }

    private static void register(Kryo kryo, Class<?> type, int id) {
        Serializer<?> serializer = explicitSerializerFor(type);
        if (serializer == null) {
            kryo.register(type, id);
        } else {
            kryo.register(type, serializer, id);
        }
    }

    private static Serializer<?> explicitSerializerFor(Class<?> type) {
        if (type == Uuid.class) {
            return new KafkaTypeSerializers.UuidSerializer();
        }
        if (type == Errors.class) {
            return new KafkaTypeSerializers.ErrorsSerializer();
        }
        if (type == TopicPartition.class) {
            return new KafkaTypeSerializers.TopicPartitionSerializer();
        }
        if (type.getName().startsWith(IMMUTABLE_COLLECTIONS) || type.getName().startsWith(UNMODIFIABLE_COLLECTIONS)) {
            return immutableCollectionSerializerFor(type);
        }
        return null;
    }

    private static Serializer<?> immutableCollectionSerializerFor(Class<?> type) {
        if (SortedMap.class.isAssignableFrom(type)) {
            return new ImmutableCollectionSerializers.SortedMapSerializer();
        }
        if (Map.class.isAssignableFrom(type)) {
            return new ImmutableCollectionSerializers.MapSerializer();
        }
        if (Set.class.isAssignableFrom(type)) {
            return new ImmutableCollectionSerializers.SetSerializer();
        }
        if (List.class.isAssignableFrom(type)) {
            return new ImmutableCollectionSerializers.ListSerializer();
        }
        throw new IllegalArgumentException("varve.kryo.classes: no serializer for unmodifiable " + type.getName());
    }

    private Class<?> classFor(String name) {
        try {
            return Class.forName(name, false, classLoader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(
                    "varve.kryo.classes names " + name + ", which is not on the class path", e);
        }
    }
}
