package io.varve.partition.replication;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.MetadataCache;
import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionActor.AppendAsFollower;
import io.varve.partition.PartitionActor.FollowerProgress;
import io.varve.partition.PartitionActor.ResetOutOfRange;
import io.varve.partition.PartitionActor.TruncateToEpoch;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches every partition this node follows from one leader node (Kafka's ReplicaFetcherThread): a
 * daemon thread with one {@link LeaderConnection} to the leader's Kafka listener, sending Kafka Fetch
 * requests with this node's replica id and broker epoch, so the leader serves them with its zero-copy
 * path. Each partition's answer goes to its {@code PartitionActor}: records to append ({@link
 * AppendAsFollower}), a diverging epoch to truncate to ({@link TruncateToEpoch}), an out-of-range
 * offset to reset ({@link ResetOutOfRange}); the next fetch starts where the partition says its log
 * ends. A partition the leader refuses (not leader yet, stale epoch) pauses briefly; a connection
 * failure pauses the whole fetcher for {@code fetch-backoff}. A throttled partition ({@link
 * FollowerThrottle}) is left out of fetches while the node's follower quota is spent.
 *
 * <p>Partitions are added and removed by {@link ReplicaFetchers} through a queue the thread drains
 * between fetches; everything else is confined to the thread.
 */
final class ReplicaFetcher implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ReplicaFetcher.class);
    /** Pause of a partition the leader refused for a transient reason (metadata not there yet). */
    private static final long SHORT_BACKOFF_MS = 100;

    private static final short FETCH_VERSION = ApiKeys.FETCH.latestVersion();

    private final int localNodeId;
    private final int leaderId;
    private final MetadataCache metadata;
    private final ReplicationSettings settings;
    private final Scheduler scheduler;
    private final LinkedBlockingQueue<Object> changes = new LinkedBlockingQueue<>();
    private final Map<TopicPartition, FetchState> partitions = new LinkedHashMap<>();
    private final LeaderConnection connection;
    private final FollowerThrottle throttle;
    private final Thread thread;
    private volatile boolean running = true;
    private boolean failing;

    private record Removal(TopicPartition tp) {}

    /** One partition's place in the fetch; replaced whole by a new Follow. */
    private static final class FetchState {
        final Uuid topicId;
        final int leaderEpoch;
        final ActorRef<PartitionActor.Command> partition;
        long fetchOffset;
        int lastFetchedEpoch;
        long delayedUntilMs;
        long lastHighWatermark = -1L;

        FetchState(ReplicaFetchers.Follow follow) {
            this.topicId = follow.topicId();
            this.leaderEpoch = follow.leaderEpoch();
            this.partition = follow.partition();
            this.fetchOffset = follow.fetchOffset();
            this.lastFetchedEpoch = follow.lastFetchedEpoch();
        }
    }

    private ReplicaFetcher(
            int localNodeId,
            int leaderId,
            MetadataCache metadata,
            ReplicationSettings settings,
            Scheduler scheduler,
            ReplicationQuota followerQuota) {
        this.localNodeId = localNodeId;
        this.throttle = new FollowerThrottle(localNodeId, followerQuota);
        this.leaderId = leaderId;
        this.metadata = metadata;
        this.settings = settings;
        this.scheduler = scheduler;
        this.connection = new LeaderConnection("varve-replica-fetcher-" + localNodeId + "-from-" + leaderId);
        this.thread = new Thread(this, "varve-replica-fetcher-" + leaderId);
        thread.setDaemon(true);
    }

    /** Starts the fetcher's thread; {@code followerQuota} is the node's, shared by its fetchers. */
    static ReplicaFetcher start(
            int localNodeId,
            int leaderId,
            MetadataCache metadata,
            ReplicationSettings settings,
            Scheduler scheduler,
            ReplicationQuota followerQuota) {
        ReplicaFetcher fetcher =
                new ReplicaFetcher(localNodeId, leaderId, metadata, settings, scheduler, followerQuota);
        fetcher.thread.start();
        return fetcher;
    }

    void follow(ReplicaFetchers.Follow follow) {
        changes.add(follow);
    }

    void unfollow(TopicPartition tp) {
        changes.add(new Removal(tp));
    }

    void stop() {
        running = false;
        thread.interrupt();
        connection.close();
    }

    @Override
    public void run() {
        while (running) {
            try {
                fetchOnce();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (IOException | RuntimeException e) {
                connection.close();
                if (running) {
                    onFailure(e);
                }
            }
        }
        connection.close();
    }

    private void onFailure(Exception e) {
        if (!failing) {
            log.warn(
                    "fetching from leader {} failed: {}; retrying every {}",
                    leaderId,
                    e.toString(),
                    settings.fetchBackoff());
        } else {
            log.debug("fetching from leader {} failed again: {}", leaderId, e.toString());
        }
        failing = true;
        try {
            Thread.sleep(settings.fetchBackoff().toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void fetchOnce() throws IOException, InterruptedException {
        long nowMs = System.currentTimeMillis();
        applyChanges(nextWakeUpMs(nowMs));
        throttle.refresh(metadata.image());
        Map<TopicPartition, FetchState> ready = new LinkedHashMap<>();
        partitions.forEach((tp, state) -> {
            long now = System.currentTimeMillis();
            if (state.delayedUntilMs <= now) {
                long holdBackMs = throttle.holdBackMs(tp);
                if (holdBackMs > 0) {
                    state.delayedUntilMs = now + holdBackMs;
                } else {
                    ready.put(tp, state);
                }
            }
        });
        if (ready.isEmpty()) {
            return;
        }
        BrokerInfo leader = metadata.image().brokers().get(leaderId);
        if (leader == null) {
            throw new IOException("leader " + leaderId + " is not a live broker in metadata offset "
                    + metadata.image().offset());
        }
        connection.ensureConnected(
                leader.host(), leader.port(), (int) settings.socketTimeout().toMillis());
        int timeoutMs = (int)
                (settings.fetchWaitMax().toMillis() + settings.socketTimeout().toMillis());
        FetchResponse response = (FetchResponse) connection.send(request(ready), timeoutMs);
        if (failing) {
            log.info("fetching from leader {} at {}:{} again", leaderId, leader.host(), leader.port());
            failing = false;
        }
        process(ready, response);
    }

    /** How long to wait for changes: not at all when a partition is ready, else until one is. */
    private long nextWakeUpMs(long nowMs) {
        if (partitions.isEmpty()) {
            return 1000;
        }
        long earliest = Long.MAX_VALUE;
        for (FetchState state : partitions.values()) {
            earliest = Math.min(earliest, state.delayedUntilMs);
        }
        return Math.max(0, earliest - nowMs);
    }

    private void applyChanges(long waitMs) throws InterruptedException {
        Object change = waitMs > 0 ? changes.poll(waitMs, TimeUnit.MILLISECONDS) : changes.poll();
        while (change != null) {
            if (change instanceof ReplicaFetchers.Follow follow) {
                partitions.put(follow.tp(), new FetchState(follow));
            } else if (change instanceof Removal removal) {
                partitions.remove(removal.tp());
            }
            change = changes.poll();
        }
    }

    private FetchRequest request(Map<TopicPartition, FetchState> ready) {
        Map<TopicPartition, FetchRequest.PartitionData> data = new LinkedHashMap<>();
        ready.forEach((tp, state) -> data.put(
                tp,
                new FetchRequest.PartitionData(
                        state.topicId,
                        state.fetchOffset,
                        -1L,
                        settings.fetchMaxBytes(),
                        Optional.of(state.leaderEpoch),
                        state.lastFetchedEpoch >= 0 ? Optional.of(state.lastFetchedEpoch) : Optional.empty())));
        return FetchRequest.Builder.forReplica(
                        FETCH_VERSION,
                        localNodeId,
                        metadata.image().brokerEpoch(localNodeId),
                        (int) settings.fetchWaitMax().toMillis(),
                        1,
                        data)
                .setMaxBytes(settings.fetchResponseMaxBytes())
                .build(FETCH_VERSION);
    }

    /** Hands each partition's answer to its actor, then waits for all of them before the next fetch. */
    private void process(Map<TopicPartition, FetchState> asked, FetchResponse response) throws InterruptedException {
        if (response.error() != Errors.NONE) {
            throw new IllegalStateException("leader " + leaderId + " answered the fetch with " + response.error());
        }
        Map<Uuid, String> names = new HashMap<>();
        asked.forEach((tp, state) -> names.put(state.topicId, tp.topic()));
        Map<TopicPartition, CompletableFuture<FollowerProgress>> pending = new LinkedHashMap<>();
        for (FetchResponseData.FetchableTopicResponse topic : response.data().responses()) {
            String name = topic.topic() == null || topic.topic().isEmpty() ? names.get(topic.topicId()) : topic.topic();
            for (FetchResponseData.PartitionData data : topic.partitions()) {
                TopicPartition tp = new TopicPartition(name, data.partitionIndex());
                FetchState state = asked.get(tp);
                if (name != null && state != null && partitions.get(tp) == state) {
                    onPartition(tp, state, data).ifPresent(future -> pending.put(tp, future));
                }
            }
        }
        awaitProgress(asked, pending);
    }

    private Optional<CompletableFuture<FollowerProgress>> onPartition(
            TopicPartition tp, FetchState state, FetchResponseData.PartitionData data) {
        Errors error = Errors.forCode(data.errorCode());
        switch (error) {
            case NONE -> {
                if (FetchResponse.isDivergingEpoch(data)) {
                    FetchResponseData.EpochEndOffset diverging = data.divergingEpoch();
                    return Optional.of(ask(
                            state,
                            replyTo -> new TruncateToEpoch(
                                    state.leaderEpoch, diverging.epoch(), diverging.endOffset(), replyTo)));
                }
                Records records = FetchResponse.recordsOrFail(data);
                if (records.sizeInBytes() == 0 && data.highWatermark() == state.lastHighWatermark) {
                    return Optional.empty();
                }
                state.lastHighWatermark = data.highWatermark();
                throttle.fetched(tp, records.sizeInBytes());
                MemoryRecords memory = (MemoryRecords) records;
                return Optional.of(ask(
                        state,
                        replyTo -> new AppendAsFollower(
                                state.leaderEpoch, memory, data.highWatermark(), data.logStartOffset(), replyTo)));
            }
            case OFFSET_OUT_OF_RANGE -> {
                return Optional.of(ask(
                        state,
                        replyTo -> new ResetOutOfRange(
                                state.leaderEpoch, data.logStartOffset(), data.highWatermark(), replyTo)));
            }
            case NOT_LEADER_OR_FOLLOWER, UNKNOWN_LEADER_EPOCH, FENCED_LEADER_EPOCH -> {
                log.debug("leader {} answered {} for {}: retrying shortly", leaderId, error, tp);
                state.delayedUntilMs = System.currentTimeMillis() + SHORT_BACKOFF_MS;
                return Optional.empty();
            }
            default -> {
                log.warn("leader {} answered {} for {} at offset {}", leaderId, error, tp, state.fetchOffset);
                state.delayedUntilMs =
                        System.currentTimeMillis() + settings.fetchBackoff().toMillis();
                return Optional.empty();
            }
        }
    }

    private CompletableFuture<FollowerProgress> ask(
            FetchState state, Function<ActorRef<FollowerProgress>, PartitionActor.Command> command) {
        Duration timeout = settings.socketTimeout();
        return AskPattern.ask(state.partition, command::apply, timeout, scheduler)
                .toCompletableFuture();
    }

    private void awaitProgress(
            Map<TopicPartition, FetchState> asked, Map<TopicPartition, CompletableFuture<FollowerProgress>> pending)
            throws InterruptedException {
        List<TopicPartition> failed = new ArrayList<>();
        for (Map.Entry<TopicPartition, CompletableFuture<FollowerProgress>> entry : pending.entrySet()) {
            FetchState state = asked.get(entry.getKey());
            try {
                FollowerProgress progress =
                        entry.getValue().get(settings.socketTimeout().toMillis(), TimeUnit.MILLISECONDS);
                if (progress.error() == Errors.NONE) {
                    state.fetchOffset = progress.logEndOffset();
                    state.lastFetchedEpoch = progress.lastFetchedEpoch();
                } else {
                    failed.add(entry.getKey());
                    state.delayedUntilMs = System.currentTimeMillis() + SHORT_BACKOFF_MS;
                }
            } catch (ExecutionException | TimeoutException e) {
                failed.add(entry.getKey());
                state.delayedUntilMs =
                        System.currentTimeMillis() + settings.fetchBackoff().toMillis();
            }
        }
        if (!failed.isEmpty()) {
            log.debug("followers of {} from leader {} did not take the fetched data", failed, leaderId);
        }
    }
}
