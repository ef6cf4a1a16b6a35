package io.varve.connectors.stream;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.internal.GroupOffsets;
import io.varve.connectors.internal.ReadStage;
import io.varve.connectors.internal.RecordDecoder;
import io.varve.group.CommittedOffset;
import io.varve.metadata.TopicImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.javadsl.Source;

/**
 * In-process Pekko Streams sources that read an embedded node's partitions with no socket in
 * between: the partition actors the Kafka listener's fetches read, the same log a Kafka consumer
 * sees. They emit on demand, wait in the partition (a long poll, no timer) when caught up, and
 * never end by themselves: cancel them, or use {@code take}/{@code takeWhile}. docs/embedded.md.
 *
 * <p>The {@code …Source} sources emit Kafka's {@link ConsumerRecord}s (deserialized with the
 * settings' deserializers); the {@code …Records} sources emit {@link VarveRecord}s, whose keys and
 * values stay slices of what was read until the application asks for them.
 *
 * <p>Each fails with the Kafka exception a consumer would see: {@code
 * UnknownTopicOrPartitionException} for a missing or deleted topic, {@code
 * NotLeaderOrFollowerException} when the partition moves to another node, {@code
 * OffsetOutOfRangeException} with {@link OffsetReset#NONE}, {@code TimeoutException} when the
 * partition does not answer within {@link SourceSettings#timeout()}. Wrap one in {@code
 * RestartSource} to start it again.
 */
public final class VarveConsumer {
    private VarveConsumer() {}

    /** The records of one partition from {@code start}, as Kafka's consumer returns them. */
    public static <K, V> Source<ConsumerRecord<K, V>, NotUsed> partitionSource(
            EmbeddedVarve varve, SourceSettings<K, V> settings, TopicPartition tp, StartOffset start) {
        return chunks(varve, settings, tp, start, consumerRecords(settings).apply(tp))
                .mapConcat(chunk -> chunk);
    }

    /**
     * The records of one partition from {@code start} as {@link VarveRecord}s: keys and values are
     * slices of what was read, deserialized only when the application asks ({@link
     * VarveRecord#value(Deserializer)}); the settings' deserializers are not used.
     */
    public static Source<VarveRecord, NotUsed> partitionRecords(
            EmbeddedVarve varve, SourceSettings<?, ?> settings, TopicPartition tp, StartOffset start) {
        return chunks(varve, settings, tp, start, RecordDecoder.records(tp)).mapConcat(chunk -> chunk);
    }

    /**
     * The records of every partition of {@code topic} (its partitions when the source is
     * materialized), each from {@code start}, merged: order holds within a partition only.
     */
    public static <K, V> Source<ConsumerRecord<K, V>, NotUsed> topicSource(
            EmbeddedVarve varve, SourceSettings<K, V> settings, String topic, StartOffset start) {
        return topic(varve, settings, topic, start, consumerRecords(settings));
    }

    /** {@link #topicSource} as {@link VarveRecord}s (see {@link #partitionRecords}). */
    public static Source<VarveRecord, NotUsed> topicRecords(
            EmbeddedVarve varve, SourceSettings<?, ?> settings, String topic, StartOffset start) {
        return topic(varve, settings, topic, start, RecordDecoder::records);
    }

    /**
     * Kafka's {@code assign()} and {@code seek()}: the records of the given partitions (of any
     * topics), each from its own start, merged (order holds within a partition only). No consumer
     * group is involved: nothing is committed and no group sees this reader. A partition that does
     * not exist fails the source with {@code UnknownTopicOrPartitionException} when it starts.
     */
    public static <K, V> Source<ConsumerRecord<K, V>, NotUsed> assignedSource(
            EmbeddedVarve varve, SourceSettings<K, V> settings, Map<TopicPartition, StartOffset> assignment) {
        return merged(varve, settings, assigned(assignment), consumerRecords(settings))
                .mapConcat(chunk -> chunk);
    }

    /** {@link #assignedSource} as {@link VarveRecord}s (see {@link #partitionRecords}). */
    public static Source<VarveRecord, NotUsed> assignedRecords(
            EmbeddedVarve varve, SourceSettings<?, ?> settings, Map<TopicPartition, StartOffset> assignment) {
        return merged(varve, settings, assigned(assignment), RecordDecoder::records)
                .mapConcat(chunk -> chunk);
    }

    /**
     * Kafka's {@code assign()} with commits: the records of the given partitions (of any topics),
     * each from the offset the settings' group committed for it (else per {@link
     * SourceSettings#autoOffsetReset()}), with the offset to commit through {@link VarveCommitter}.
     * As with {@link #committableSource(EmbeddedVarve, SourceSettings, String)}, the source does not
     * join the group: the commits are standalone ones, accepted while the group has no members.
     */
    public static <K, V> Source<CommittableRecord<K, V>, NotUsed> committableAssignedSource(
            EmbeddedVarve varve, SourceSettings<K, V> settings, Collection<TopicPartition> assignment) {
        String groupId = groupOf(settings);
        List<TopicPartition> partitions = assigned(assignment.stream()
                        .collect(Collectors.toMap(tp -> tp, tp -> StartOffset.earliest(), (a, b) -> a)))
                .stream()
                .map(Map.Entry::getKey)
                .toList();
        return Source.lazyCompletionStageSource(() -> committable(varve, settings, groupId, partitions))
                .mapConcat(chunk -> chunk)
                .mapMaterializedValue(ignored -> NotUsed.notUsed());
    }

    /**
     * The records of every partition of {@code topic}, each from the offset the settings' group
     * committed (else per {@link SourceSettings#autoOffsetReset()}), with the offset to commit
     * through {@link VarveCommitter} once handled. The group must have no Kafka consumers as
     * members while this source commits (standalone commits; see {@link VarveCommitter}).
     */
    public static <K, V> Source<CommittableRecord<K, V>, NotUsed> committableSource(
            EmbeddedVarve varve, SourceSettings<K, V> settings, String topic) {
        String groupId = groupOf(settings);
        return Source.lazyCompletionStageSource(() -> committable(varve, settings, groupId, partitionsOf(varve, topic)))
                .mapConcat(chunk -> chunk)
                .mapMaterializedValue(ignored -> NotUsed.notUsed());
    }

    /** One partition's reads, each decoded into one chunk (a list in offset order). */
    private static <T> Source<List<T>, NotUsed> chunks(
            EmbeddedVarve varve,
            SourceSettings<?, ?> settings,
            TopicPartition tp,
            StartOffset start,
            RecordDecoder<T> decoder) {
        Executor fileReads =
                varve.system().dispatchers().lookup(DispatcherSelector.fromConfig("varve.storage-dispatcher"));
        return Source.fromGraph(
                new ReadStage<>(varve.system(), varve.services().broker(), tp, start, settings, decoder, fileReads));
    }

    /**
     * The partitions' chunks merged: the merge hands over one chunk per read. The callers flatten
     * the chunks last, outside any lazy source (whose inner stream hands over every element through
     * an async callback), so only that flattening costs once per record. One partition needs no merge.
     */
    private static <T> Source<List<T>, NotUsed> merged(
            EmbeddedVarve varve,
            SourceSettings<?, ?> settings,
            List<Map.Entry<TopicPartition, StartOffset>> partitions,
            Function<TopicPartition, RecordDecoder<T>> decoders) {
        Source<List<T>, NotUsed> chunks;
        if (partitions.size() == 1) {
            Map.Entry<TopicPartition, StartOffset> only = partitions.get(0);
            chunks = chunks(varve, settings, only.getKey(), only.getValue(), decoders.apply(only.getKey()));
        } else {
            chunks = Source.from(partitions)
                    .flatMapMerge(
                            partitions.size(),
                            entry -> chunks(
                                    varve, settings, entry.getKey(), entry.getValue(), decoders.apply(entry.getKey())));
        }
        return chunks;
    }

    private static <T> Source<T, NotUsed> topic(
            EmbeddedVarve varve,
            SourceSettings<?, ?> settings,
            String topic,
            StartOffset start,
            Function<TopicPartition, RecordDecoder<T>> decoders) {
        return Source.lazySource(() -> merged(
                        varve,
                        settings,
                        partitionsOf(varve, topic).stream()
                                .map(tp -> Map.entry(tp, start))
                                .toList(),
                        decoders))
                .mapConcat(chunk -> chunk)
                .mapMaterializedValue(ignored -> NotUsed.notUsed());
    }

    private static <K, V> Function<TopicPartition, RecordDecoder<ConsumerRecord<K, V>>> consumerRecords(
            SourceSettings<K, V> settings) {
        return tp -> RecordDecoder.consumerRecords(tp, settings.keyDeserializer(), settings.valueDeserializer());
    }

    private static String groupOf(SourceSettings<?, ?> settings) {
        return settings.groupId()
                .orElseThrow(() -> new IllegalArgumentException("a committable source needs a group id (withGroupId)"));
    }

    /** Fetches the group's offsets of {@code partitions}, then reads each from there. */
    private static <K, V> CompletionStage<Source<List<CommittableRecord<K, V>>, NotUsed>> committable(
            EmbeddedVarve varve, SourceSettings<K, V> settings, String groupId, List<TopicPartition> partitions) {
        Map<String, Uuid> topicIds = new HashMap<>();
        for (TopicPartition tp : partitions) {
            topicIds.computeIfAbsent(tp.topic(), topic -> image(varve, topic).topicId());
        }
        return GroupOffsets.fetch(varve.services(), groupId, partitions, settings.timeout())
                .thenApply(committed -> merged(
                        varve,
                        settings,
                        partitions.stream()
                                .map(tp -> Map.entry(tp, startOf(tp, committed, settings)))
                                .toList(),
                        tp -> RecordDecoder.consumerRecords(
                                        tp, settings.keyDeserializer(), settings.valueDeserializer())
                                .map(record -> new CommittableRecord<>(
                                        record,
                                        new CommittableOffset(
                                                groupId,
                                                tp,
                                                record.offset() + 1,
                                                record.leaderEpoch().orElse(-1),
                                                topicIds.get(tp.topic()))))));
    }

    /** The assignment in a stable order (by topic, then partition); it must not be empty. */
    private static List<Map.Entry<TopicPartition, StartOffset>> assigned(Map<TopicPartition, StartOffset> assignment) {
        if (assignment.isEmpty()) {
            throw new IllegalArgumentException("an assigned source needs at least one partition");
        }
        return assignment.entrySet().stream()
                .sorted(Map.Entry.comparingByKey(
                        Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition)))
                .map(e -> Map.entry(e.getKey(), Objects.requireNonNull(e.getValue(), "start offset of " + e.getKey())))
                .toList();
    }

    private static StartOffset startOf(
            TopicPartition tp, Map<TopicPartition, CommittedOffset> committed, SourceSettings<?, ?> settings) {
        CommittedOffset offset = committed.get(tp);
        if (offset != null && offset.offset() >= 0) {
            return StartOffset.at(offset.offset());
        }
        return switch (settings.autoOffsetReset()) {
            case EARLIEST -> StartOffset.earliest();
            case LATEST -> StartOffset.latest();
            case NONE -> throw new NoOffsetForPartitionException(tp);
        };
    }

    private static TopicImage image(EmbeddedVarve varve, String topic) {
        return varve.services().broker().metadata().image().topic(topic).orElseThrow(() -> unknownTopic(varve, topic));
    }

    private static List<TopicPartition> partitionsOf(EmbeddedVarve varve, String topic) {
        TopicImage image = image(varve, topic);
        List<TopicPartition> partitions = new ArrayList<>();
        image.partitions().keySet().stream().sorted().forEach(p -> partitions.add(new TopicPartition(topic, p)));
        return partitions;
    }

    private static UnknownTopicOrPartitionException unknownTopic(EmbeddedVarve varve, String topic) {
        return new UnknownTopicOrPartitionException("topic '" + topic + "' does not exist on node " + varve.nodeId());
    }
}
