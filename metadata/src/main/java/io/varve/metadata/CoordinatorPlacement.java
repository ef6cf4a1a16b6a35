package io.varve.metadata;

import java.util.List;
import java.util.OptionalInt;

/**
 * Which node coordinates a group (or, later, a transactional id): the key's Cluster Sharding shard is
 * Pekko's default ({@code |hashCode| mod number-of-shards}), and shard {@code s} belongs on the
 * {@code (s mod n)}-th of the {@code n} live brokers in node-id order. Every node computes the same
 * answer from its metadata image, so FindCoordinator names it and the other nodes answer
 * NOT_COORDINATOR; the sharding allocation strategy places the shard there. Stateless.
 */
public final class CoordinatorPlacement {
    private CoordinatorPlacement() {}

    /**
     * The shard of {@code key}, exactly as Pekko's {@code HashCodeMessageExtractor} computes it
     * (negative for the one hash code whose absolute value is negative, as there).
     */
    public static int shardOf(String key, int numberOfShards) {
        return Math.abs(key.hashCode()) % numberOfShards;
    }

    /** The live broker shard {@code shard} belongs on; empty when no broker is live. */
    public static OptionalInt nodeForShard(int shard, MetadataImage image) {
        List<Integer> live = image.brokers().keySet().stream().sorted().toList();
        return live.isEmpty() ? OptionalInt.empty() : OptionalInt.of(live.get(Math.floorMod(shard, live.size())));
    }

    /** The live broker that coordinates {@code key}; empty when no broker is live. */
    public static OptionalInt nodeFor(String key, int numberOfShards, MetadataImage image) {
        return nodeForShard(shardOf(key, numberOfShards), image);
    }
}
