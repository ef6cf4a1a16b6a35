package io.varve.partition.replication;

import io.varve.metadata.Controller;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a partition needs to replicate, given to it by the node: the controller (ISR changes go to it
 * as AlterPartition), the node's {@link ReplicaFetchers} (a follower asks them to fetch from its
 * leader), the node's metadata (its own broker epoch, live brokers) and the settings. {@link
 * #standalone()} is a partition that never replicates (unit tests). Immutable; shared by every
 * partition of a node.
 *
 * @param controller the controller's proxy, or null when standalone
 * @param fetchers this node's replica fetchers, or null when standalone
 * @param metadata this node's metadata
 */
public record ReplicationContext(
        ActorRef<Controller.Command> controller,
        ActorRef<ReplicaFetchers.Command> fetchers,
        MetadataCache metadata,
        ReplicationSettings settings) {

    public static ReplicationContext standalone() {
        return new ReplicationContext(
                null, null, new MetadataCache(MetadataImage.empty("")), ReplicationSettings.defaults());
    }

    public boolean isStandalone() {
        return controller == null;
    }
}
