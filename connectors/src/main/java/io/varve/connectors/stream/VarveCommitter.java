package io.varve.connectors.stream;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.internal.GroupOffsets;
import io.varve.group.CommittedOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Commits {@link CommittableOffset}s to their consumer groups on an embedded node, in batches
 * ({@link CommitSettings}), through the group coordinator the Kafka listener uses: a Kafka consumer
 * of the group then starts where the stream left off, and {@code Admin.listConsumerGroupOffsets}
 * shows the offsets. These are Kafka's standalone commits, which the coordinator accepts only while
 * the group has no members: a group that Kafka consumers have joined answers {@code
 * UNKNOWN_MEMBER_ID}, and the stage fails with that exception.
 */
public final class VarveCommitter {
    private VarveCommitter() {}

    /** Commits every offset; completes when the last batch is committed, or fails with the first error. */
    public static Sink<CommittableOffset, CompletionStage<Done>> sink(EmbeddedVarve varve, CommitSettings settings) {
        return flow(varve, settings).toMat(Sink.ignore(), Keep.right());
    }

    /** Commits in batches and emits {@code Done} per committed batch. */
    public static Flow<CommittableOffset, Done, NotUsed> flow(EmbeddedVarve varve, CommitSettings settings) {
        return Flow.<CommittableOffset>create()
                .groupedWithin(settings.maxBatch(), settings.maxInterval())
                .mapAsync(1, batch -> commit(varve, batch, settings));
    }

    private static CompletionStage<Done> commit(
            EmbeddedVarve varve, List<CommittableOffset> batch, CommitSettings settings) {
        Map<String, Map<TopicPartition, CommittedOffset>> byGroup = new LinkedHashMap<>();
        for (CommittableOffset offset : batch) {
            // the latest offset of each partition wins, as if each had been committed in turn
            byGroup.computeIfAbsent(offset.groupId(), g -> new HashMap<>())
                    .merge(
                            offset.tp(),
                            new CommittedOffset(offset.offset(), offset.leaderEpoch(), "", -1L, offset.topicId()),
                            (a, b) -> b.offset() >= a.offset() ? b : a);
        }
        List<CompletableFuture<Void>> commits = new ArrayList<>();
        byGroup.forEach((group, offsets) ->
                commits.add(GroupOffsets.commit(varve.services(), group, offsets, settings.timeout())));
        return CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new))
                .thenApply(done -> Done.getInstance());
    }
}
