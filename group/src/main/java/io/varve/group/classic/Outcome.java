package io.varve.group.classic;

import java.util.List;

/**
 * What one call on a {@link ClassicGroup} produced: the group metadata to persist (or null) and the
 * answers to send once it is persisted, in order.
 */
public record Outcome(GroupMetadata toStore, List<Runnable> replies) {
    public boolean hasMetadataToStore() {
        return toStore != null;
    }

    public void sendReplies() {
        replies.forEach(Runnable::run);
    }
}
