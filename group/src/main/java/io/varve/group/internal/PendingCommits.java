package io.varve.group.internal;

import io.varve.group.CommittedOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Offset commits the group entity has accepted but not yet persisted, with the answers owed for
 * them. Commits that arrive while the entity is busy persisting are stashed by Pekko and then
 * accepted here one after another, so the next flush writes them all as one journal event (a group
 * commit of the journal): many consumers committing at once cost one write, not one each. Later
 * commits of a partition replace earlier ones. Not thread-safe: confined to its entity.
 */
final class PendingCommits {
    private final Map<TopicPartition, CommittedOffset> offsets = new LinkedHashMap<>();
    private final List<Runnable> replies = new ArrayList<>();

    /** The commits and answers taken by one flush. */
    record Flush(GroupEvent.OffsetsCommitted event, List<Runnable> replies) {}

    void add(Map<TopicPartition, CommittedOffset> committed, Runnable reply) {
        offsets.putAll(committed);
        replies.add(reply);
    }

    boolean isEmpty() {
        return replies.isEmpty();
    }

    /** Everything pending as one event, emptying this buffer. */
    Flush drain() {
        Flush flush = new Flush(new GroupEvent.OffsetsCommitted(Map.copyOf(offsets)), List.copyOf(replies));
        offsets.clear();
        replies.clear();
        return flush;
    }
}
