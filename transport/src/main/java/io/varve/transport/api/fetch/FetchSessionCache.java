package io.varve.transport.api.fetch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;

/**
 * The node's incremental fetch sessions (KIP-227), shared by every connection: thread-safe, each
 * method holds the cache's lock briefly and never blocks.
 *
 * <p>Request metadata (session id, epoch): id 0 / epoch 0 opens a new session when the response is
 * sent; epoch -1 fetches without a session (closing {@code id} if given); a positive epoch continues
 * session {@code id}, which must exist (FETCH_SESSION_ID_NOT_FOUND), carry that epoch
 * (INVALID_FETCH_SESSION_EPOCH) and name topics the same way (FETCH_SESSION_TOPIC_ID_ERROR).
 *
 * <p>At most {@code maxSessions} sessions (Kafka: {@code max.incremental.fetch.session.cache.slots},
 * 1000). When full, a new session evicts the least recently used one if it has been idle for {@code
 * evictionAge} (Kafka: {@code min.incremental.fetch.session.eviction.ms}, 2 min), else the smallest
 * session if the new one has more partitions; otherwise it is not cached and the client keeps
 * sending full fetches (session id 0 in the response).
 */
public final class FetchSessionCache {
    public static final int DEFAULT_MAX_SESSIONS = 1000;
    public static final Duration DEFAULT_EVICTION_AGE = Duration.ofMinutes(2);

    private final int maxSessions;
    private final long evictionAgeMs;
    private final LongSupplier clockMs;
    /** Access order: the first entry is the least recently used session. */
    private final LinkedHashMap<Integer, FetchSession> sessions = new LinkedHashMap<>(16, 0.75f, true);

    /** What a response carries: its session id (0 = none) and the partitions to include. */
    record SessionResponse(int sessionId, List<PartitionResult> partitions) {}

    public FetchSessionCache() {
        this(DEFAULT_MAX_SESSIONS, DEFAULT_EVICTION_AGE, System::currentTimeMillis);
    }

    public FetchSessionCache(int maxSessions, Duration evictionAge, LongSupplier clockMs) {
        this.maxSessions = maxSessions;
        this.evictionAgeMs = evictionAge.toMillis();
        this.clockMs = clockMs;
    }

    public synchronized int size() {
        return sessions.size();
    }

    synchronized FetchContext newContext(
            FetchMetadata metadata,
            Map<TopicIdPartition, FetchRequest.PartitionData> fetchData,
            List<TopicIdPartition> forgotten,
            boolean usesTopicIds) {
        if (metadata.isFull()) {
            if (metadata.sessionId() != FetchMetadata.INVALID_SESSION_ID) {
                sessions.remove(metadata.sessionId());
            }
            List<PartitionFetch> fetches = new ArrayList<>(fetchData.size());
            fetchData.forEach((partition, data) -> fetches.add(new CachedPartition(partition, data).toFetch()));
            return metadata.epoch() == FetchMetadata.FINAL_EPOCH
                    ? FetchContext.sessionless(fetches)
                    : FetchContext.full(fetches);
        }
        FetchSession session = sessions.get(metadata.sessionId());
        if (session == null) {
            return FetchContext.error(Errors.FETCH_SESSION_ID_NOT_FOUND, "no fetch session " + metadata.sessionId());
        }
        if (session.epoch != metadata.epoch()) {
            return FetchContext.error(
                    Errors.INVALID_FETCH_SESSION_EPOCH,
                    "fetch session " + session.id + " expects epoch " + session.epoch + ", got " + metadata.epoch());
        }
        if (session.usesTopicIds != usesTopicIds) {
            return FetchContext.error(
                    Errors.FETCH_SESSION_TOPIC_ID_ERROR,
                    "fetch session " + session.id + (session.usesTopicIds ? " uses" : " does not use") + " topic ids");
        }
        session.update(fetchData, forgotten);
        session.epoch = FetchMetadata.nextEpoch(session.epoch);
        session.lastUsedMs = clockMs.getAsLong();
        return FetchContext.incremental(session);
    }

    /** Applies a response to its context: creates the new session, or filters an incremental one. */
    synchronized SessionResponse respond(FetchContext context, List<PartitionResult> results, boolean usesTopicIds) {
        return switch (context.kind()) {
            case FULL -> new SessionResponse(maybeCreate(results, usesTopicIds), results);
            case INCREMENTAL -> new SessionResponse(
                    context.session().id, context.session().changed(results));
            case SESSIONLESS, ERROR -> new SessionResponse(FetchMetadata.INVALID_SESSION_ID, results);
        };
    }

    private int maybeCreate(List<PartitionResult> results, boolean usesTopicIds) {
        if (results.isEmpty() || maxSessions <= 0) {
            return FetchMetadata.INVALID_SESSION_ID;
        }
        long now = clockMs.getAsLong();
        if (sessions.size() >= maxSessions && !maybeEvict(results.size(), now)) {
            return FetchMetadata.INVALID_SESSION_ID;
        }
        FetchSession session = new FetchSession(newSessionId(), usesTopicIds, now);
        for (PartitionResult result : results) {
            PartitionFetch fetch = result.fetch();
            CachedPartition cached = new CachedPartition(fetch);
            cached.maybeUpdateResponse(result);
            session.add(fetch.partition(), cached);
        }
        sessions.put(session.id, session);
        return session.id;
    }

    private boolean maybeEvict(int newSessionSize, long now) {
        Iterator<FetchSession> leastRecentlyUsed = sessions.values().iterator();
        FetchSession oldest = leastRecentlyUsed.next();
        if (now - oldest.lastUsedMs >= evictionAgeMs) {
            sessions.remove(oldest.id);
            return true;
        }
        FetchSession smallest = oldest;
        while (leastRecentlyUsed.hasNext()) {
            FetchSession candidate = leastRecentlyUsed.next();
            if (candidate.size() < smallest.size()) {
                smallest = candidate;
            }
        }
        if (smallest.size() < newSessionSize) {
            sessions.remove(smallest.id);
            return true;
        }
        return false;
    }

    private int newSessionId() {
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        return id;
    }
}
