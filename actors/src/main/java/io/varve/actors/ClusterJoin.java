package io.varve.actors;

import io.varve.metadata.LocalOnly;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Joins this node to its cluster and, with a shared journal, keeps the founding {@link ClusterLease}:
 *
 * <ul>
 *   <li>embedded journal (a single node): join the seeds, or itself when there are none;
 *   <li>shared journal, a node that could start a cluster (no seeds, or any of the seeds): take the
 *       lease first. Taken: join the seeds with itself listed first (so Pekko's first-seed process
 *       runs here: it joins a seed that answers, else starts the cluster) or itself. Held by a live
 *       cluster: without seed nodes the node refuses to start (it would form a second cluster); as a
 *       seed it joins the other seeds but never itself (once: Pekko's seed-node process retries on its
 *       own, and a repeated JoinSeedNodes would restart its handshake), and tries the lease again
 *       every renew interval (a cluster whose holder died lets the lease expire, and then any seed
 *       may start it anew). So any two seeds form the cluster again after a full stop, whichever
 *       node is gone for good, as any two of Kafka's three KRaft voters do. A node that is not a
 *       seed never joins itself and needs no lease;
 *   <li>a node that took the lease renews it every renew interval until it is Up (joining itself
 *       or, when another seed answers first, a running cluster), so that a start slower than the
 *       lease's expiry under load does not let a second seed found another cluster;
 *   <li>once Up: while this node is the oldest Up member (where the controller singleton runs) it
 *       renews the lease every renew interval.
 * </ul>
 *
 * Lease calls are JDBC, run on Pekko's blocking-I/O dispatcher and piped back. One per node,
 * spawned by the {@link NodeGuardian}; confined to its actor.
 */
final class ClusterJoin {
    private ClusterJoin() {}

    sealed interface Command extends LocalOnly {}

    private record Tick() implements Command {}

    /** {@code holder} describes who holds the lease when it was not taken (read off the actor too). */
    private record Founded(boolean taken, String holder, Throwable failure) implements Command {}

    private record Renewed(Throwable failure) implements Command {}

    /** The answer to renewing the lease taken to found the cluster, while this node is not Up yet. */
    private record Kept(boolean held, String holder, Throwable failure) implements Command {}

    private record Up() implements Command {}

    /** What one {@code tryFound} call found: whether this node holds the lease now, else who does. */
    private record LeaseCall(boolean taken, String holder) {}

    static Behavior<Command> create(ClusterSettings settings, Optional<ClusterLease> lease, Consumer<String> refuse) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            Cluster cluster = Cluster.get(context.getSystem());
            cluster.subscriptions()
                    .tell(Subscribe.create(context.messageAdapter(SelfUp.class, up -> new Up()), SelfUp.class));
            timers.startTimerWithFixedDelay(new Tick(), settings.leaseRenewInterval());
            Joining join = new Joining(context, timers, cluster, settings, lease, refuse);
            join.start();
            return Behaviors.receive(Command.class)
                    .onMessage(Tick.class, tick -> join.onTick())
                    .onMessage(Founded.class, join::onFounded)
                    .onMessage(Renewed.class, join::onRenewed)
                    .onMessage(Kept.class, join::onKept)
                    .onMessage(Up.class, up -> join.onUp())
                    .build();
        }));
    }

    /** The state of one node's joining; confined to the {@link ClusterJoin} actor. */
    private static final class Joining {
        private final ActorContext<Command> context;
        private final Cluster cluster;
        private final ClusterSettings settings;
        private final Optional<ClusterLease> lease;
        private final Consumer<String> refuse;
        private final String self;
        private final Executor blocking;
        private boolean up;
        private boolean mayFound;
        private boolean foundingLease;
        private boolean leaseCallInFlight;
        private boolean joiningOthers;

        Joining(
                ActorContext<Command> context,
                TimerScheduler<Command> timers,
                Cluster cluster,
                ClusterSettings settings,
                Optional<ClusterLease> lease,
                Consumer<String> refuse) {
            this.context = context;
            this.cluster = cluster;
            this.settings = settings;
            this.lease = lease;
            this.refuse = refuse;
            this.self = cluster.selfMember().address().toString();
            this.blocking = context.getSystem()
                    .dispatchers()
                    .lookup(DispatcherSelector.fromConfig("pekko.actor.default-blocking-io-dispatcher"));
        }

        void start() {
            if (lease.isEmpty() || !couldStartCluster()) {
                // a node that is not a seed never joins itself (Pekko's seed-node process), so it
                // needs no lease: it can only join a running cluster
                mayFound = true;
                joinAllowingSelf();
            } else {
                tryFound();
            }
        }

        /**
         * Without seeds this node starts a cluster. With seeds and no shared journal only the first
         * seed may (Pekko's rule); with a shared journal any seed may, once it holds the lease.
         */
        private boolean couldStartCluster() {
            if (settings.seedNodes().isEmpty()) {
                return true;
            }
            Address self = cluster.selfMember().address();
            if (lease.isEmpty()) {
                return AddressFromURIString.parse(
                                ClusterSettings.address(settings.seedNodes().get(0)))
                        .equals(self);
            }
            return seedAddresses(true).contains(self);
        }

        private void tryFound() {
            callTryFound((call, failure) ->
                    new Founded(call != null && call.taken(), call == null ? null : call.holder(), failure));
        }

        /**
         * {@code ClusterLease.tryFound} off the actor, its answer piped back: it takes a free or expired
         * lease, and renews one this node holds (its own address).
         */
        private void callTryFound(java.util.function.BiFunction<LeaseCall, Throwable, Command> answer) {
            leaseCallInFlight = true;
            CompletableFuture<LeaseCall> call = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            boolean taken = lease.get().tryFound(self);
                            return new LeaseCall(taken, taken ? null : describeHolder());
                        } catch (java.sql.SQLException e) {
                            throw new IllegalStateException("founding lease: " + e.getMessage(), e);
                        }
                    },
                    blocking);
            context.pipeToSelf(call, answer::apply);
        }

        Behavior<Command> onFounded(Founded founded) {
            leaseCallInFlight = false;
            if (up || mayFound) {
                return Behaviors.same();
            }
            if (founded.failure() != null) {
                context.getLog()
                        .warn(
                                "cannot reach the founding lease, retrying: {}",
                                founded.failure().getMessage());
                return Behaviors.same();
            }
            if (founded.taken()) {
                mayFound = true;
                foundingLease = true;
                joinAllowingSelf();
                return Behaviors.same();
            }
            if (joiningOthers) {
                // Pekko's seed-node process retries by itself; a new JoinSeedNodes would restart it and
                // cut a handshake in progress (under load, every tick: the node took minutes to join)
                return Behaviors.same();
            }
            String holder = founded.holder();
            if (settings.seedNodes().isEmpty()) {
                refuse.accept("a Varve cluster is running on this journal database (" + holder
                        + ") and this node has no seed nodes (varve.cluster.seed-nodes): refusing to start a second"
                        + " cluster; list the running cluster's nodes as seed nodes");
                return Behaviors.stopped();
            }
            context.getLog()
                    .info(
                            "a cluster is running on this journal database ({}): joining seeds {} without starting"
                                    + " a cluster of my own",
                            holder,
                            settings.seedNodes());
            cluster.manager().tell(new JoinSeedNodes(seedAddresses(false)));
            joiningOthers = true;
            return Behaviors.same();
        }

        /** Blocking JDBC: runs only inside {@link #callTryFound}'s call on the blocking-I/O dispatcher. */
        private String describeHolder() {
            try {
                return lease.get()
                        .holder()
                        .map(h -> "lease held by " + h.address() + ", renewed " + h.ageMs() + " ms ago")
                        .orElse("lease held");
            } catch (java.sql.SQLException e) {
                return "lease held";
            }
        }

        /**
         * Joins itself without seeds; with seeds, joins them as Pekko's seed-node process does: a
         * node that may found (it holds the lease) lists itself first, so that process may start the
         * cluster here when no other seed answers; any other node never joins itself.
         */
        private void joinAllowingSelf() {
            if (settings.seedNodes().isEmpty()) {
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
                return;
            }
            List<Address> seeds = seedAddresses(true);
            Address self = cluster.selfMember().address();
            if (lease.isPresent() && seeds.remove(self)) {
                seeds.add(0, self);
            }
            cluster.manager().tell(new JoinSeedNodes(seeds));
        }

        /** The seeds in order; without this node's own address unless it may start the cluster. */
        private List<Address> seedAddresses(boolean includeSelf) {
            List<Address> addresses = new ArrayList<>();
            for (String seed : settings.seedNodes()) {
                Address address = AddressFromURIString.parse(ClusterSettings.address(seed));
                if (includeSelf || !address.equals(cluster.selfMember().address())) {
                    addresses.add(address);
                }
            }
            return addresses;
        }

        Behavior<Command> onUp() {
            up = true;
            context.getLog().info("joined the cluster as {}", self);
            return Behaviors.same();
        }

        Behavior<Command> onTick() {
            if (lease.isEmpty() || leaseCallInFlight) {
                return Behaviors.same();
            }
            if (!up) {
                if (!mayFound) {
                    tryFound();
                } else if (foundingLease) {
                    keepFoundingLease();
                }
            } else if (isOldest()) {
                leaseCallInFlight = true;
                CompletableFuture<Void> call = CompletableFuture.runAsync(
                        () -> {
                            try {
                                lease.get().renew(self);
                            } catch (java.sql.SQLException e) {
                                throw new IllegalStateException(e.getMessage(), e);
                            }
                        },
                        blocking);
                context.pipeToSelf(call, (done, failure) -> new Renewed(failure));
            }
            return Behaviors.same();
        }

        /** Renews the lease this node took to found the cluster, while it is not Up yet. */
        private void keepFoundingLease() {
            callTryFound((call, failure) ->
                    new Kept(call != null && call.taken(), call == null ? null : call.holder(), failure));
        }

        Behavior<Command> onKept(Kept kept) {
            if (kept.failure() != null) {
                return onRenewed(new Renewed(kept.failure()));
            }
            leaseCallInFlight = false;
            if (!kept.held() && !up) {
                // ours expired before this node came up and another seed took it: that one founds,
                // this one must not join itself any more
                context.getLog()
                        .warn(
                                "the founding lease was taken by another node while this one started ({}); joining"
                                        + " the other seeds without starting a cluster of my own",
                                kept.holder());
                foundingLease = false;
                joiningOthers = true;
                cluster.manager().tell(new JoinSeedNodes(seedAddresses(false)));
            }
            return Behaviors.same();
        }

        Behavior<Command> onRenewed(Renewed renewed) {
            leaseCallInFlight = false;
            if (renewed.failure() != null) {
                context.getLog()
                        .warn(
                                "renewing the founding lease failed: {}",
                                renewed.failure().getMessage());
            }
            return Behaviors.same();
        }

        private boolean isOldest() {
            Member oldest = null;
            for (Member member : cluster.state().getMembers()) {
                if (member.status() == MemberStatus.up() && (oldest == null || member.isOlderThan(oldest))) {
                    oldest = member;
                }
            }
            return oldest != null
                    && oldest.uniqueAddress().equals(cluster.selfMember().uniqueAddress());
        }
    }
}
