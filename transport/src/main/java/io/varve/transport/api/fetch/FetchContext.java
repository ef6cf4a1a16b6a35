package io.varve.transport.api.fetch;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/**
 * How one Fetch request relates to fetch sessions (Kafka's FetchContext): a sessionless full fetch,
 * a full fetch that opens a new session, an incremental fetch on a session, or a session error
 * (FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH, FETCH_SESSION_TOPIC_ID_ERROR) answered
 * with no partitions. Immutable, except the session it points to (guarded by the cache's lock).
 */
record FetchContext(Kind kind, Errors error, String message, FetchSession session, List<PartitionFetch> partitions) {

    enum Kind {
        SESSIONLESS,
        FULL,
        INCREMENTAL,
        ERROR
    }

    static FetchContext sessionless(List<PartitionFetch> partitions) {
        return new FetchContext(Kind.SESSIONLESS, Errors.NONE, null, null, partitions);
    }

    static FetchContext full(List<PartitionFetch> partitions) {
        return new FetchContext(Kind.FULL, Errors.NONE, null, null, partitions);
    }

    static FetchContext incremental(FetchSession session) {
        return new FetchContext(Kind.INCREMENTAL, Errors.NONE, null, session, session.fetches());
    }

    static FetchContext error(Errors error, String message) {
        return new FetchContext(Kind.ERROR, error, message, null, List.of());
    }

    boolean isError() {
        return kind == Kind.ERROR;
    }
}
