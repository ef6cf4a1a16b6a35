package io.varve.metadata.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableSerializer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Kryo serializers for the JDK's unmodifiable collections ({@code List.of}, {@code Map.copyOf},
 * {@code Collections.unmodifiableNavigableMap}, …). Kryo cannot instantiate their implementation
 * classes, so each is written as a size followed by its elements (or key/value pairs), each with
 * its class, and rebuilt with the matching factory: an equal, unmodifiable collection, possibly of a
 * sibling implementation class ({@code List12} vs {@code ListN}). Stateless and thread-safe.
 *
 * <pre>
 *   list/set:  varint size | (class, element) * size
 *   map:       varint size | (class, key, class, value) * size
 * </pre>
 */
final class ImmutableCollectionSerializers {
    private ImmutableCollectionSerializers() {}

    /** Lists: rebuilt with {@code List.of}, or as an unmodifiable view when they hold nulls. */
    @SuppressWarnings("rawtypes")
    static final class ListSerializer extends ImmutableSerializer<List> {
        @Override
        public void write(Kryo kryo, Output output, List list) {
            writeElements(kryo, output, list);
        }

        @Override
        public List read(Kryo kryo, Input input, Class<? extends List> type) {
            Object[] elements = readElements(kryo, input);
            return Arrays.asList(elements).contains(null)
                    ? Collections.unmodifiableList(Arrays.asList(elements))
                    : List.of(elements);
        }
    }

    /** Sets: rebuilt with {@code Set.of}. */
    @SuppressWarnings("rawtypes")
    static final class SetSerializer extends ImmutableSerializer<Set> {
        @Override
        public void write(Kryo kryo, Output output, Set set) {
            writeElements(kryo, output, set);
        }

        @Override
        public Set read(Kryo kryo, Input input, Class<? extends Set> type) {
            return Set.of(readElements(kryo, input));
        }
    }

    /** Hash maps: rebuilt with {@code Map.copyOf}, or as an unmodifiable view when they hold nulls. */
    @SuppressWarnings("rawtypes")
    static final class MapSerializer extends ImmutableSerializer<Map> {
        @Override
        public void write(Kryo kryo, Output output, Map map) {
            writeEntries(kryo, output, map);
        }

        @Override
        public Map read(Kryo kryo, Input input, Class<? extends Map> type) {
            Map<Object, Object> entries = readEntries(kryo, input, new HashMap<>());
            return entries.containsKey(null) || entries.containsValue(null)
                    ? Collections.unmodifiableMap(entries)
                    : Map.copyOf(entries);
        }
    }

    /** Sorted maps in natural key order: rebuilt as an unmodifiable {@link TreeMap}. */
    @SuppressWarnings("rawtypes")
    static final class SortedMapSerializer extends ImmutableSerializer<SortedMap> {
        @Override
        public void write(Kryo kryo, Output output, SortedMap map) {
            if (map.comparator() != null) {
                throw new IllegalArgumentException(
                        "only naturally ordered sorted maps are serializable, got comparator " + map.comparator());
            }
            writeEntries(kryo, output, map);
        }

        @Override
        public SortedMap read(Kryo kryo, Input input, Class<? extends SortedMap> type) {
            return Collections.unmodifiableNavigableMap(readEntries(kryo, input, new TreeMap<>()));
        }
    }

    private static void writeElements(Kryo kryo, Output output, Collection<?> elements) {
        output.writeVarInt(elements.size(), true);
        for (Object element : elements) {
            kryo.writeClassAndObject(output, element);
        }
    }

    private static Object[] readElements(Kryo kryo, Input input) {
        int size = input.readVarInt(true);
        List<Object> elements = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            elements.add(kryo.readClassAndObject(input));
        }
        return elements.toArray();
    }

    private static void writeEntries(Kryo kryo, Output output, Map<?, ?> map) {
        output.writeVarInt(map.size(), true);
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            kryo.writeClassAndObject(output, entry.getKey());
            kryo.writeClassAndObject(output, entry.getValue());
        }
    }

    private static <M extends Map<Object, Object>> M readEntries(Kryo kryo, Input input, M into) {
        int size = input.readVarInt(true);
        for (int i = 0; i < size; i++) {
            Object key = kryo.readClassAndObject(input);
            into.put(key, kryo.readClassAndObject(input));
        }
        return into;
    }
}
