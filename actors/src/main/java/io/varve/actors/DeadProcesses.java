package io.varve.actors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides, from successive polls of the {@link ProcessLock}s held, which members' processes are
 * dead and may be downed at once. A member is dead when:
 *
 * <ul>
 *   <li>this node saw its lock held at least once (a member that never took one, such as a node of
 *       an older version, is never judged);
 *   <li>its lock was missing in {@code confirmations} polls in a row;
 *   <li>it is Joining, WeaklyUp or Up (a member leaving lets its lock go as it stops);
 * </ul>
 *
 * and this node may act only when its own lock shows in the same poll, its lock session is at least
 * {@code settle} old (after the database restarted every lock is gone, and the live nodes take theirs
 * again within one poll), and the members it does not count as dead or unreachable are a strict
 * majority of the members (as the split-brain resolver's keep-majority: a node that lost the others
 * leaves the decision to it). Each member is judged dead once.
 *
 * <p>Not thread-safe: confined to the {@link DeadProcessCheck} actor.
 */
final class DeadProcesses {
    /**
     * A member as one poll sees it.
     *
     * @param uid its Pekko incarnation uid, the key of its lock
     * @param serving Joining, WeaklyUp or Up
     * @param counted not Down nor Removed: counted in the majority
     * @param unreachable marked unreachable by the failure detector
     */
    record Member(long uid, boolean serving, boolean counted, boolean unreachable) {}

    private final long self;
    private final int confirmations;
    private final long settleNanos;
    private final Set<Long> seenHolding = new HashSet<>();
    private final Map<Long, Integer> missing = new HashMap<>();
    private final Set<Long> judged = new HashSet<>();

    DeadProcesses(long self, int confirmations, long settleNanos) {
        if (confirmations < 1) {
            throw new IllegalArgumentException("confirmations must be at least 1, was " + confirmations);
        }
        this.self = self;
        this.confirmations = confirmations;
        this.settleNanos = settleNanos;
    }

    /**
     * Takes one poll: the keys held, this node's lock session start and the members (other than this
     * node) as the cluster sees them now. Returns the members to down now.
     */
    List<Member> observe(Set<Long> held, long sessionStartNanos, long nowNanos, List<Member> members) {
        Set<Long> present = new HashSet<>();
        for (Member member : members) {
            present.add(member.uid());
        }
        seenHolding.retainAll(present);
        missing.keySet().retainAll(present);
        judged.retainAll(present);
        if (!held.contains(self)) {
            // this node's own lock does not show: the database restarted, or this session is not
            // what it seems; nothing it sees now says anything about the others
            missing.clear();
            return List.of();
        }
        for (Member member : members) {
            if (held.contains(member.uid())) {
                seenHolding.add(member.uid());
                missing.remove(member.uid());
            } else if (seenHolding.contains(member.uid())) {
                missing.merge(member.uid(), 1, Integer::sum);
            }
        }
        if (nowNanos - sessionStartNanos < settleNanos) {
            return List.of();
        }
        List<Member> dead = new ArrayList<>();
        int counted = 1;
        int lost = 0;
        for (Member member : members) {
            if (!member.counted()) {
                continue;
            }
            counted++;
            boolean gone = missing.getOrDefault(member.uid(), 0) >= confirmations;
            if (gone || member.unreachable()) {
                lost++;
            }
            if (gone && member.serving() && !judged.contains(member.uid())) {
                dead.add(member);
            }
        }
        if (dead.isEmpty() || 2 * (counted - lost) <= counted) {
            return List.of();
        }
        dead.forEach(member -> judged.add(member.uid()));
        return dead;
    }
}
