package io.varve.partition;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.checkpoint.EpochAndOffset;
import io.varve.storage.checkpoint.LeaderEpochCache;
import io.varve.storage.checkpoint.LeaderEpochCheckpointFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model test of truncation on epoch lineages. Two replicas live through random histories of
 * leadership terms (each term's leader appends, the other replica copies some of it after truncating
 * to the leader's lineage); then the last leader keeps the partition and the other replica follows it
 * with Varve's protocol: the leader's divergence check on the follower's last fetched epoch ({@code
 * LeaderEpochCache.endOffsetFor}, as {@code LeaderReplication} answers a fetch) and the follower's
 * truncation ({@link FollowerTruncation}), until it fetches. Every history must end with the follower
 * a copy of the leader, and the protocol must never truncate below the two logs' common prefix (which
 * holds every committed record).
 *
 * <p>A log is modelled as the epoch of each offset: records of one epoch at one offset are the same
 * records on every replica (only that epoch's leader wrote them).
 */
class FollowerTruncationModelTest {
    private static final int HISTORIES = 400;

    @TempDir
    Path dir;

    private int files;

    @Test
    void everyRandomHistoryConvergesWithoutTruncatingCommonRecords() throws IOException {
        Random random = new Random(20261203L);
        for (int history = 0; history < HISTORIES; history++) {
            List<Integer> leader = new ArrayList<>();
            List<Integer> follower = new ArrayList<>();
            simulate(random, leader, follower);
            List<Integer> before = List.copyOf(follower);

            List<Integer> result = follow(leader, follower);

            assertThat(result)
                    .as("history %d: leader %s, follower %s", history, leader, before)
                    .isEqualTo(leader);
        }
    }

    /** Terms 1..n: a random leader appends; the other truncates to its lineage and copies some of it. */
    private static void simulate(Random random, List<Integer> a, List<Integer> b) {
        int terms = 1 + random.nextInt(6);
        List<Integer> leader = a;
        List<Integer> other = b;
        for (int epoch = 1; epoch <= terms; epoch++) {
            if (epoch == terms) {
                leader = a; // the last term's leader is the one the follower follows
                other = b;
            } else if (random.nextBoolean()) {
                List<Integer> swap = leader;
                leader = other;
                other = swap;
            }
            int records = random.nextInt(4);
            for (int i = 0; i < records; i++) {
                leader.add(epoch);
            }
            // the other replica truncates to the common prefix and copies a random part of the rest
            int keep = commonPrefix(leader, other);
            truncate(other, keep);
            int copy = random.nextInt(leader.size() - keep + 1);
            other.addAll(leader.subList(keep, keep + copy));
        }
    }

    /** The follower's side of Varve's protocol, until it fetches the leader's records. */
    private List<Integer> follow(List<Integer> leader, List<Integer> follower) throws IOException {
        List<Integer> log = new ArrayList<>(follower);
        LeaderEpochCache leaderLineage = lineage(leader);
        int commonPrefix = commonPrefix(leader, follower);
        for (int round = 0; round < 20; round++) {
            int fetchOffset = log.size();
            int lastFetchedEpoch = log.isEmpty() ? -1 : log.get(log.size() - 1);
            if (lastFetchedEpoch >= 0) {
                EpochAndOffset end = leaderLineage.endOffsetFor(lastFetchedEpoch, leader.size());
                if (end.leaderEpoch() < lastFetchedEpoch || end.endOffset() < fetchOffset) {
                    long target =
                            FollowerTruncation.offset(lineage(log), log.size(), 0L, end.leaderEpoch(), end.endOffset());
                    assertThat(target)
                            .as("truncation of %s against leader %s keeps the common prefix", log, leader)
                            .isGreaterThanOrEqualTo(commonPrefix);
                    truncate(log, (int) target);
                    continue;
                }
            }
            assertThat(fetchOffset)
                    .as("fetch offset of %s within leader %s", log, leader)
                    .isLessThanOrEqualTo(leader.size());
            log.addAll(leader.subList(fetchOffset, leader.size()));
            return log;
        }
        throw new AssertionError("no convergence for follower " + follower + " of leader " + leader);
    }

    private LeaderEpochCache lineage(List<Integer> log) throws IOException {
        Path file = dir.resolve("leader-epoch-checkpoint-" + files++);
        Files.deleteIfExists(file);
        LeaderEpochCache cache = new LeaderEpochCache(new LeaderEpochCheckpointFile(file));
        for (int offset = 0; offset < log.size(); offset++) {
            if (offset == 0 || !log.get(offset).equals(log.get(offset - 1))) {
                cache.assign(log.get(offset), offset);
            }
        }
        return cache;
    }

    private static int commonPrefix(List<Integer> a, List<Integer> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        return i;
    }

    private static void truncate(List<Integer> log, int size) {
        while (log.size() > size) {
            log.remove(log.size() - 1);
        }
    }
}
