package io.varve.transport.api.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.log.LogSlice;
import io.varve.transport.internal.LeaderHint;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.junit.jupiter.api.Test;

class FetchSessionCacheTest {
    private static final Uuid TOPIC_ID = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
    private final AtomicLong nowMs = new AtomicLong(1_000_000L);

    @Test
    void fullFetchOpensSessionAtEpochOne() {
        FetchSessionCache cache = new FetchSessionCache(10, Duration.ofMinutes(2), nowMs::get);

        int sessionId = openSession(cache, 0, 1);

        assertThat(sessionId).isPositive();
        assertThat(cache.size()).isEqualTo(1);
        FetchContext next = cache.newContext(new FetchMetadata(sessionId, 1), Map.of(), List.of(), true);
        assertThat(next.kind()).isEqualTo(FetchContext.Kind.INCREMENTAL);
        assertThat(next.partitions()).extracting(PartitionFetch::fetchOffset).containsExactly(0L, 0L);
    }

    @Test
    void sessionlessFetchCreatesNoSession() {
        FetchSessionCache cache = new FetchSessionCache(10, Duration.ofMinutes(2), nowMs::get);
        FetchContext context = cache.newContext(FetchMetadata.LEGACY, fetchData(0, 1), List.of(), false);

        FetchSessionCache.SessionResponse response = cache.respond(context, results(context, 5L), false);

        assertThat(context.kind()).isEqualTo(FetchContext.Kind.SESSIONLESS);
        assertThat(response.sessionId()).isZero();
        assertThat(cache.size()).isZero();
    }

    @Test
    void rejectsUnknownSessionWrongEpochAndTopicIdMismatch() {
        FetchSessionCache cache = new FetchSessionCache(10, Duration.ofMinutes(2), nowMs::get);
        int sessionId = openSession(cache, 0);

        assertThat(cache.newContext(new FetchMetadata(sessionId + 1, 1), Map.of(), List.of(), true)
                        .error())
                .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
        assertThat(cache.newContext(new FetchMetadata(sessionId, 2), Map.of(), List.of(), true)
                        .error())
                .isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
        assertThat(cache.newContext(new FetchMetadata(sessionId, 1), Map.of(), List.of(), false)
                        .error())
                .isEqualTo(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
    }

    @Test
    void incrementalFetchUpdatesAddsAndForgetsPartitionsAndAnswersOnlyChanges() {
        FetchSessionCache cache = new FetchSessionCache(10, Duration.ofMinutes(2), nowMs::get);
        int sessionId = openSession(cache, 0, 1);
        Map<TopicIdPartition, FetchRequest.PartitionData> changes = new LinkedHashMap<>();
        changes.put(tip(1), data(40L));
        changes.put(tip(2), data(0L));

        FetchContext context = cache.newContext(new FetchMetadata(sessionId, 1), changes, List.of(tip(0)), true);
        assertThat(context.partitions())
                .extracting(f -> f.partition().partition() + "@" + f.fetchOffset())
                .containsExactly("1@40", "2@0");

        List<PartitionResult> results = new ArrayList<>();
        results.add(result(context.partitions().get(0), 5L, 0)); // same HW as before, no records
        results.add(result(context.partitions().get(1), 9L, 0)); // new partition
        FetchSessionCache.SessionResponse response = cache.respond(context, results, true);

        assertThat(response.sessionId()).isEqualTo(sessionId);
        assertThat(response.partitions())
                .extracting(r -> r.partition().partition())
                .containsExactly(2);
        assertThat(cache.newContext(new FetchMetadata(sessionId, 2), Map.of(), List.of(), true)
                        .kind())
                .isEqualTo(FetchContext.Kind.INCREMENTAL);
    }

    @Test
    void finalEpochClosesSession() {
        FetchSessionCache cache = new FetchSessionCache(10, Duration.ofMinutes(2), nowMs::get);
        int sessionId = openSession(cache, 0);

        FetchContext context = cache.newContext(
                new FetchMetadata(sessionId, FetchMetadata.FINAL_EPOCH), fetchData(0), List.of(), true);

        assertThat(context.kind()).isEqualTo(FetchContext.Kind.SESSIONLESS);
        assertThat(cache.size()).isZero();
    }

    @Test
    void fullCacheEvictsIdleSessionThenSmallerSessionElseRefuses() {
        FetchSessionCache cache = new FetchSessionCache(2, Duration.ofMinutes(2), nowMs::get);
        int idle = openSession(cache, 0);
        nowMs.addAndGet(60_000);
        int small = openSession(cache, 0);
        nowMs.addAndGet(61_000);

        int third = openSession(cache, 0);
        assertThat(third).isPositive();
        assertThat(cache.newContext(new FetchMetadata(idle, 1), Map.of(), List.of(), true)
                        .error())
                .isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);

        int bigger = openSession(cache, 0, 1);
        assertThat(bigger).isPositive();
        assertThat(cache.size()).isEqualTo(2);
        assertThat(openSession(cache, 0)).isZero();
        assertThat(small == third || small == bigger).isFalse();
    }

    private int openSession(FetchSessionCache cache, int... partitions) {
        FetchContext context = cache.newContext(FetchMetadata.INITIAL, fetchData(partitions), List.of(), true);
        assertThat(context.kind()).isEqualTo(FetchContext.Kind.FULL);
        return cache.respond(context, results(context, 5L), true).sessionId();
    }

    private static List<PartitionResult> results(FetchContext context, long highWatermark) {
        return context.partitions().stream()
                .map(f -> result(f, highWatermark, 0))
                .toList();
    }

    private static PartitionResult result(PartitionFetch fetch, long highWatermark, int bytes) {
        return new PartitionResult(
                fetch,
                Errors.NONE,
                new LogSlice(null, 0, bytes, fetch.fetchOffset(), ByteBuffer.allocate(bytes)),
                highWatermark,
                highWatermark,
                0L,
                List.of(),
                LeaderHint.NONE);
    }

    private static Map<TopicIdPartition, FetchRequest.PartitionData> fetchData(int... partitions) {
        Map<TopicIdPartition, FetchRequest.PartitionData> data = new LinkedHashMap<>();
        for (int p : partitions) {
            data.put(tip(p), data(0L));
        }
        return data;
    }

    private static TopicIdPartition tip(int partition) {
        return new TopicIdPartition(TOPIC_ID, partition, "orders");
    }

    private static FetchRequest.PartitionData data(long fetchOffset) {
        return new FetchRequest.PartitionData(TOPIC_ID, fetchOffset, -1L, 1024 * 1024, Optional.empty());
    }
}
