package io.varve.metadata.controller;

import io.varve.metadata.Controller.ImageChunk;
import io.varve.metadata.Controller.MetadataDelta;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * Splits what the controller pushes into messages of at most {@link EventChunks#MAX_PARTITIONS}
 * partitions each, far below Artery's 256 KiB frame limit, and puts a full image back together on
 * the receiving node:
 *
 * <pre>
 *   chunk 0:   offset, cluster id, controller, brokers, registrations, broker configs + first topics
 *   chunk 1..: more topics; a topic with many partitions spans chunks, each with some partitions
 * </pre>
 *
 * Stateless; an {@link Assembler} belongs to one listener actor.
 */
public final class ImageChunks {
    private ImageChunks() {}

    /** The full image as chunks. */
    public static List<ImageChunk> chunks(MetadataImage image) {
        List<Map<String, TopicImage>> parts = new ArrayList<>();
        Map<String, TopicImage> part = new TreeMap<>();
        int partitions = 0;
        for (TopicImage topic : image.topicsByName().values()) {
            TreeMap<Integer, PartitionRegistration> some = new TreeMap<>();
            for (PartitionRegistration partition : topic.partitions().values()) {
                some.put(partition.partition(), partition);
                partitions++;
                if (partitions == EventChunks.MAX_PARTITIONS) {
                    part.put(topic.name(), piece(topic, some));
                    parts.add(part);
                    part = new TreeMap<>();
                    some = new TreeMap<>();
                    partitions = 0;
                }
            }
            if (!some.isEmpty() || topic.partitions().isEmpty()) {
                part.put(topic.name(), piece(topic, some));
            }
        }
        if (!part.isEmpty() || parts.isEmpty()) {
            parts.add(part);
        }
        List<ImageChunk> chunks = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            chunks.add(new ImageChunk(image.offset(), i, parts.size(), partOf(image, parts.get(i), i == 0)));
        }
        return chunks;
    }

    /** Deltas of consecutive events, each message with at most about MAX_PARTITIONS partitions. */
    public static List<MetadataDelta> deltas(long baseOffset, List<ControllerEvent> events) {
        List<MetadataDelta> deltas = new ArrayList<>();
        List<ControllerEvent> batch = new ArrayList<>();
        long batchOffset = baseOffset;
        int partitions = 0;
        for (int i = 0; i < events.size(); i++) {
            ControllerEvent event = events.get(i);
            int count = EventChunks.partitionCount(event);
            if (!batch.isEmpty() && partitions + count > EventChunks.MAX_PARTITIONS) {
                deltas.add(new MetadataDelta(batchOffset, List.copyOf(batch)));
                batch.clear();
                batchOffset = baseOffset + i;
                partitions = 0;
            }
            batch.add(event);
            partitions += count;
        }
        if (!batch.isEmpty()) {
            deltas.add(new MetadataDelta(batchOffset, List.copyOf(batch)));
        }
        return deltas;
    }

    private static TopicImage piece(TopicImage topic, Map<Integer, PartitionRegistration> partitions) {
        return new TopicImage(topic.name(), topic.topicId(), Immutables.sortedCopy(partitions), topic.configs());
    }

    private static MetadataImage partOf(MetadataImage image, Map<String, TopicImage> topics, boolean first) {
        Map<Uuid, String> names = new HashMap<>();
        topics.values().forEach(topic -> names.put(topic.topicId(), topic.name()));
        return new MetadataImage(
                image.offset(),
                image.clusterId(),
                image.controllerId(),
                first ? image.brokers() : Map.of(),
                first ? image.registrations() : Map.of(),
                Immutables.sortedCopy(topics),
                Immutables.sortedCopy(names),
                first ? image.brokerConfigs() : Map.of());
    }

    /**
     * Collects the chunks of one full image; chunks of another offset start over. Not thread-safe:
     * confined to the listener actor that owns it.
     */
    public static final class Assembler {
        private long offset = -1;
        private MetadataImage[] parts;
        private int received;

        /** Adds a chunk; returns the whole image once every chunk of its offset has arrived. */
        public java.util.Optional<MetadataImage> add(ImageChunk chunk) {
            if (parts == null || chunk.offset() != offset || chunk.count() != parts.length) {
                offset = chunk.offset();
                parts = new MetadataImage[chunk.count()];
                received = 0;
            }
            if (parts[chunk.index()] == null) {
                parts[chunk.index()] = chunk.part();
                received++;
            }
            if (received < parts.length) {
                return java.util.Optional.empty();
            }
            MetadataImage whole = merge(parts);
            parts = null;
            return java.util.Optional.of(whole);
        }

        private static MetadataImage merge(MetadataImage[] parts) {
            MetadataImage first = parts[0];
            Map<String, TopicImage> topics = new HashMap<>();
            Map<Uuid, String> names = new HashMap<>();
            for (MetadataImage part : parts) {
                for (TopicImage topic : part.topicsByName().values()) {
                    topics.merge(topic.name(), topic, (a, b) -> {
                        Map<Integer, PartitionRegistration> all = new TreeMap<>(a.partitions());
                        all.putAll(b.partitions());
                        return new TopicImage(a.name(), a.topicId(), Immutables.sortedCopy(all), a.configs());
                    });
                }
                names.putAll(part.topicNamesById());
            }
            return new MetadataImage(
                    first.offset(),
                    first.clusterId(),
                    first.controllerId(),
                    first.brokers(),
                    first.registrations(),
                    Immutables.sortedCopy(topics),
                    Immutables.sortedCopy(names),
                    first.brokerConfigs());
        }
    }
}
