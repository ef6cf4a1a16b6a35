package io.varve.metadata;

import java.util.HashSet;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Places each coordinator shard (of the group and of the transaction coordinators) on the node
 * {@link CoordinatorPlacement} names for it, so the node FindCoordinator answers is the node that
 * hosts the group or transactional id: a new shard goes to that node's region
 * (to the asking region while that node has none yet), and a rebalance moves shards that sit
 * elsewhere once their node's region exists (after a node returns, or the live brokers change),
 * but never away from a node that is not a live broker (it could not hand them off).
 * Used by the sharding coordinator (a singleton on the oldest node) with that node's metadata.
 */
public final class CoordinatorShardAllocation extends ShardCoordinator.AbstractShardAllocationStrategy {
    /** Shards moved per rebalance round (Pekko rebalances every 10 s). */
    private static final int MAX_MOVES = 50;

    private final MetadataCache metadata;
    private final Address selfAddress;

    public CoordinatorShardAllocation(MetadataCache metadata, Address selfAddress) {
        this.metadata = metadata;
        this.selfAddress = selfAddress;
    }

    @Override
    public Future<ActorRef> allocateShard(
            ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
        ActorRef region = preferredRegion(shardId, currentShardAllocations.keySet());
        return Futures.successful(region == null ? requester : region);
    }

    @Override
    public Future<Set<String>> rebalance(
            Map<ActorRef, IndexedSeq<String>> currentShardAllocations, Set<String> rebalanceInProgress) {
        Set<String> moves = new HashSet<>();
        MetadataImage image = metadata.image();
        currentShardAllocations.forEach((region, shards) -> {
            if (!isLiveBroker(region, image)) {
                // its node is fenced (unreachable, leaving): a hand-off would wait for an answer that never
                // comes (Pekko's handoff-timeout, a minute) while the shard takes no messages; once the node
                // is removed its shards are allocated afresh, on the nodes the placement names
                return;
            }
            moveMisplaced(region, shards, currentShardAllocations.keySet(), rebalanceInProgress, moves);
        });
        return Futures.successful(moves);
    }

    private void moveMisplaced(
            ActorRef region,
            IndexedSeq<String> shards,
            Set<ActorRef> regions,
            Set<String> rebalanceInProgress,
            Set<String> moves) {
        shards.foreach(shard -> {
            ActorRef preferred = preferredRegion(shard, regions);
            if (moves.size() < MAX_MOVES
                    && preferred != null
                    && !preferred.equals(region)
                    && !rebalanceInProgress.contains(shard)) {
                moves.add(shard);
            }
            return null;
        });
    }

    /** Whether {@code region} runs on a live (registered, unfenced) broker of {@code image}. */
    private boolean isLiveBroker(ActorRef region, MetadataImage image) {
        String address = addressOf(region);
        for (BrokerRegistration registration : image.registrations().values()) {
            if (!registration.fenced()
                    && image.brokers().containsKey(registration.nodeId())
                    && registration.memberAddress().equals(address)) {
                return true;
            }
        }
        return false;
    }

    private String addressOf(ActorRef region) {
        Address regionAddress = region.path().address();
        return (regionAddress.hasLocalScope() ? selfAddress : regionAddress).toString();
    }

    /** The region on the node the shard belongs on, or null when that node has no region (yet). */
    private ActorRef preferredRegion(String shardId, Set<ActorRef> regions) {
        MetadataImage image = metadata.image();
        int shard;
        try {
            shard = Integer.parseInt(shardId);
        } catch (NumberFormatException e) {
            return null;
        }
        OptionalInt node = CoordinatorPlacement.nodeForShard(shard, image);
        if (node.isEmpty()) {
            return null;
        }
        BrokerRegistration registration = image.registrations().get(node.getAsInt());
        if (registration == null) {
            return null;
        }
        String address = registration.memberAddress();
        for (ActorRef region : regions) {
            if (addressOf(region).equals(address)) {
                return region;
            }
        }
        return null;
    }
}
