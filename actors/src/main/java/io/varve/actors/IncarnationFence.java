package io.varve.actors;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The cluster incarnation of an Up node with a shared journal: the fence that keeps a second cluster
 * from serving beside the first on the same journal database (see {@link ClusterLease} and {@code
 * docs/cluster.md}, "The cluster incarnation").
 *
 * <ul>
 *   <li>the node that joined itself holding the founding lease founds: it raises the incarnation in
 *       the lease row, atomically with the check that it still holds the lease; if another node took
 *       the lease meanwhile, this node's cluster is no cluster and it stops;
 *   <li>a node that joined a running cluster adopts the row's incarnation once the row's holder
 *       (address and Pekko uid) is a member of its own cluster (the holder is that cluster's oldest
 *       node, or the joiner itself when it had taken the lease); a node that cannot tell for longer
 *       than {@code expire-after} stops, as the row belongs to another cluster;
 *   <li>every renew interval the oldest node renews the lease only if the row still carries its
 *       cluster's incarnation, and every other node reads the row and compares: a later founding
 *       raised it, so the members of the superseded cluster stop serving at their next check, with
 *       an error naming the new incarnation and its holder, and exit (status 2; a downed node, by
 *       contrast, rejoins by itself).
 * </ul>
 *
 * The node serves clients only once its incarnation is known ({@code verified}). JDBC runs on the
 * blocking-I/O dispatcher, answers are piped back to the {@link ClusterJoin} actor, to which this
 * object is confined.
 */
final class IncarnationFence {
    /**
     * One check's answer: {@code renewed} when the oldest node renewed the lease for its
     * incarnation; otherwise {@code row} is the lease row as read (empty when there is none).
     */
    record Check(boolean renewed, Optional<ClusterLease.Holder> row) {}

    private final ActorContext<ClusterJoin.Command> context;
    private final Cluster cluster;
    private final ClusterLease lease;
    private final Executor blocking;
    private final Duration expireAfter;
    private final CompletableFuture<Void> verified;
    private final BiFunction<OptionalLong, Throwable, ClusterJoin.Command> foundAnswer;
    private final BiFunction<Check, Throwable, ClusterJoin.Command> checkAnswer;
    private final String self;
    private final long uid;
    private long incarnation = -1;
    private boolean founding;
    private boolean callInFlight;
    private boolean superseded;
    private long upNanos;

    IncarnationFence(
            ActorContext<ClusterJoin.Command> context,
            Cluster cluster,
            ClusterLease lease,
            Executor blocking,
            Duration expireAfter,
            CompletableFuture<Void> verified,
            BiFunction<OptionalLong, Throwable, ClusterJoin.Command> foundAnswer,
            BiFunction<Check, Throwable, ClusterJoin.Command> checkAnswer) {
        this.context = context;
        this.cluster = cluster;
        this.lease = lease;
        this.blocking = blocking;
        this.expireAfter = expireAfter;
        this.verified = verified;
        this.foundAnswer = foundAnswer;
        this.checkAnswer = checkAnswer;
        this.self = cluster.selfMember().address().toString();
        this.uid = cluster.selfMember().uniqueAddress().longUid();
    }

    /** The node is Up; {@code founder} when it joined itself holding the founding lease. */
    void onUp(boolean founder) {
        upNanos = System.nanoTime();
        founding = founder;
        onTick(false);
    }

    /** Every renew interval once Up: found (until it succeeded), else renew or compare the incarnation. */
    void onTick(boolean oldest) {
        if (callInFlight || superseded) {
            return;
        }
        callInFlight = true;
        if (founding) {
            call(() -> lease.found(self, uid), foundAnswer);
        } else if (incarnation >= 0 && oldest) {
            long mine = incarnation;
            call(
                    () -> lease.renew(self, uid, mine)
                            ? new Check(true, Optional.empty())
                            : new Check(false, lease.holder()),
                    checkAnswer);
        } else {
            call(() -> new Check(false, lease.holder()), checkAnswer);
        }
    }

    void onFound(OptionalLong founded, Throwable failure) {
        callInFlight = false;
        if (failure != null) {
            context.getLog().warn("cannot found the cluster's incarnation yet, retrying: {}", failure.getMessage());
            return;
        }
        founding = false;
        if (founded.isEmpty()) {
            supersede("another node took the founding lease before this node founded its cluster; this one-node"
                    + " cluster would be a second cluster on the same journal");
            return;
        }
        incarnation = founded.getAsLong();
        context.getLog().info("founded the cluster: incarnation {} of this journal", incarnation);
        verified.complete(null);
    }

    void onChecked(Check check, Throwable failure) {
        callInFlight = false;
        if (failure != null) {
            // no verdict: the controller cannot write to the journal either while the database is away
            context.getLog().warn("cannot check the cluster incarnation: {}", failure.getMessage());
            return;
        }
        if (check.renewed() || superseded) {
            return;
        }
        Optional<ClusterLease.Holder> row = check.row();
        if (incarnation >= 0) {
            if (row.isEmpty() || row.get().incarnation() != incarnation) {
                supersede("this cluster (incarnation " + incarnation + " of this journal) was superseded: "
                        + row.map(IncarnationFence::describe).orElse("the lease row is gone"));
            }
            return;
        }
        if (row.isPresent() && isMember(row.get())) {
            incarnation = row.get().incarnation();
            context.getLog().info("joined incarnation {} of the cluster ({})", incarnation, describe(row.get()));
            verified.complete(null);
        } else if (System.nanoTime() - upNanos > expireAfter.toNanos()) {
            supersede("for longer than varve.cluster.lease.expire-after (" + expireAfter.toMillis()
                    + " ms) the founding lease was not held by a member of this node's cluster: "
                    + row.map(IncarnationFence::describe).orElse("no lease row")
                    + "; this node is in a cluster that is not the journal's");
        }
    }

    /** The incarnation this node's cluster was founded with, or -1 while not known yet. */
    long incarnation() {
        return incarnation;
    }

    private boolean isMember(ClusterLease.Holder holder) {
        for (Member member : cluster.state().getMembers()) {
            UniqueAddress address = member.uniqueAddress();
            // uid 0: a row last written by a version without uids; the address alone decides
            if (address.address().toString().equals(holder.address())
                    && (holder.uid() == 0 || address.longUid() == holder.uid())) {
                return true;
            }
        }
        return false;
    }

    private void supersede(String reason) {
        superseded = true;
        context.getLog().error("{}: this node stops serving (start it again to join the current cluster)", reason);
        // the reason first: the node exits (status 2) rather than rejoin by itself, then the start fails
        CoordinatedShutdown.get(context.getSystem()).runAll(Superseded.REASON);
        verified.completeExceptionally(new IllegalStateException(reason));
    }

    /** Why a node of a superseded cluster stopped: unlike a downed node it does not rejoin by itself. */
    enum Superseded implements CoordinatedShutdown.Reason {
        REASON
    }

    private static String describe(ClusterLease.Holder holder) {
        return "incarnation " + holder.incarnation() + ", lease held by " + holder.address() + " (uid " + holder.uid()
                + "), renewed " + holder.ageMs() + " ms ago";
    }

    private interface Jdbc<T> {
        T call() throws java.sql.SQLException;
    }

    private <T> void call(Jdbc<T> jdbc, BiFunction<T, Throwable, ClusterJoin.Command> answer) {
        CompletableFuture<T> call = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return jdbc.call();
                    } catch (java.sql.SQLException e) {
                        throw new IllegalStateException("cluster incarnation: " + e.getMessage(), e);
                    }
                },
                blocking);
        context.pipeToSelf(call, answer::apply);
    }
}
