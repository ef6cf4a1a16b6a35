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
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
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
 *       own, and a repeated JoinSeedNodes would restart its handshake; once more only when the lease
 *       row shows that a seed founded the cluster after this node asked), and tries the lease again
 *       every renew interval (a cluster whose holder died lets the lease expire, and then any seed
 *       may start it anew). So any two seeds form the cluster again after a full stop, whichever
 *       node is gone for good, as any two of Kafka's three KRaft voters do. A node that is not a
 *       seed never joins itself and needs no lease;
 *   <li>a node that took the lease renews it every renew interval until it is Up (joining itself
 *       or, when another seed answers first, a running cluster), so that a start slower than the
 *       lease's expiry under load does not let a second seed found another cluster;
 *   <li>once Up, the {@link IncarnationFence}: the node that joined itself holding the lease founds
 *       the cluster's incarnation, the others adopt it; the oldest Up member (where the controller
 *       singleton runs) renews the lease for its incarnation every renew interval, every other member
 *       compares it, and the members of a superseded incarnation stop.
 * </ul>
 *
 * Lease calls are JDBC, run on Pekko's blocking-I/O dispatcher and piped back. One per node,
 * spawned by the {@link NodeGuardian}; confined to its actor.
 */
final class ClusterJoin {
    private ClusterJoin() {}

    sealed interface Command extends LocalOnly {}

    private record Tick() implements Command {}

    /**
     * {@code holder} describes who holds the lease when it was not taken, {@code incarnation} is the
     * row's ({@link #UNKNOWN} when not read); both read off the actor too.
     */
    private record Founded(boolean taken, String holder, long incarnation, Throwable failure) implements Command {}

    /** The answer to renewing the lease taken to found the cluster, while this node is not Up yet. */
    private record Kept(boolean held, String holder, Throwable failure) implements Command {}

    /** A member (this node or another) was moved to Up, as the cluster's gossip says. */
    private record MemberWasUp(Member member) implements Command {}

    /** The answer to founding the cluster's incarnation (empty: the lease was lost). */
    private record IncarnationFounded(java.util.OptionalLong incarnation, Throwable failure) implements Command {}

    /** The answer to an Up member's check of its incarnation. */
    private record Checked(IncarnationFence.Check check, Throwable failure) implements Command {}

    /** What one {@code tryFound} call found: whether this node holds the lease now, else who does. */
    private record LeaseCall(boolean taken, String holder, long incarnation) {}

    private static final long UNKNOWN = -1;

    /**
     * @param verified completed once this node knows its cluster's incarnation (at once without a
     *     shared journal); completed exceptionally when its cluster was superseded
     */
    static Behavior<Command> create(
            ClusterSettings settings,
            Optional<ClusterLease> lease,
            Consumer<String> refuse,
            CompletableFuture<Void> verified) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            // one logger name for all it logs (unset, the same line came out as ClusterJoin$Joining on
            // some nodes and as ActorCell on others)
            context.setLoggerName(ClusterJoin.class);
            Cluster cluster = Cluster.get(context.getSystem());
            cluster.subscriptions()
                    .tell(Subscribe.create(
                            context.messageAdapter(ClusterEvent.MemberUp.class, up -> new MemberWasUp(up.member())),
                            ClusterEvent.MemberUp.class));
            timers.startTimerWithFixedDelay(new Tick(), settings.leaseRenewInterval());
            Joining join = new Joining(context, timers, cluster, settings, lease, refuse, verified);
            join.start();
            return Behaviors.receive(Command.class)
                    .onMessage(Tick.class, tick -> join.onTick())
                    .onMessage(Founded.class, join::onFounded)
                    .onMessage(Kept.class, join::onKept)
                    .onMessage(MemberWasUp.class, join::onMemberUp)
                    .onMessage(IncarnationFounded.class, f -> join.onIncarnationFounded(f))
                    .onMessage(Checked.class, c -> join.onIncarnationChecked(c))
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
        private final Optional<IncarnationFence> fence;
        private boolean up;
        private final List<Member> upBefore = new ArrayList<>();
        private boolean mayFound;
        private boolean foundingLease;
        private boolean leaseCallInFlight;
        private boolean joiningOthers;
        /** The lease row's incarnation when this node started joining the others ({@link #UNKNOWN}: not read yet). */
        private long incarnationWhenJoining = UNKNOWN;

        private boolean askedAgain;

        Joining(
                ActorContext<Command> context,
                TimerScheduler<Command> timers,
                Cluster cluster,
                ClusterSettings settings,
                Optional<ClusterLease> lease,
                Consumer<String> refuse,
                CompletableFuture<Void> verified) {
            this.context = context;
            this.cluster = cluster;
            this.settings = settings;
            this.lease = lease;
            this.refuse = refuse;
            this.self = cluster.selfMember().address().toString();
            this.blocking = context.getSystem()
                    .dispatchers()
                    .lookup(DispatcherSelector.fromConfig("pekko.actor.default-blocking-io-dispatcher"));
            this.fence = lease.map(l -> new IncarnationFence(
                    context,
                    cluster,
                    l,
                    blocking,
                    settings.leaseExpireAfter(),
                    verified,
                    IncarnationFounded::new,
                    Checked::new));
            if (lease.isEmpty()) {
                verified.complete(null);
            }
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
            callTryFound((call, failure) -> new Founded(
                    call != null && call.taken(),
                    call == null ? null : call.holder(),
                    call == null ? UNKNOWN : call.incarnation(),
                    failure));
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
                            boolean taken = lease.get()
                                    .tryFound(
                                            self,
                                            cluster.selfMember().uniqueAddress().longUid());
                            if (taken) {
                                return new LeaseCall(true, null, UNKNOWN);
                            }
                            Optional<ClusterLease.Holder> holder = readHolder();
                            return new LeaseCall(
                                    false,
                                    holder.map(h -> "lease held by " + h.address() + ", renewed " + h.ageMs()
                                                    + " ms ago")
                                            .orElse("lease held"),
                                    holder.map(ClusterLease.Holder::incarnation).orElse(UNKNOWN));
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
                return askAgainOnceFounded(founded);
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
            incarnationWhenJoining = founded.incarnation();
            return Behaviors.same();
        }

        /**
         * The one exception to sending {@code JoinSeedNodes} once: when the lease row shows a founding
         * after this node asked (a seed joined itself and is Up now), ask once more. Pekko's seed-node
         * process, answered "not initialized" by that seed while it started, would otherwise stay silent
         * for its {@code seed-node-timeout} (5 s) before asking again; after a full restart every node
         * but the founder waited that long.
         */
        private Behavior<Command> askAgainOnceFounded(Founded founded) {
            if (askedAgain || founded.incarnation() == UNKNOWN) {
                return Behaviors.same();
            }
            if (incarnationWhenJoining == UNKNOWN) {
                incarnationWhenJoining = founded.incarnation();
            } else if (founded.incarnation() > incarnationWhenJoining) {
                askedAgain = true;
                context.getLog()
                        .info(
                                "the cluster was founded while this node joined (incarnation {}, {}): asking seeds {}"
                                        + " again",
                                founded.incarnation(),
                                founded.holder(),
                                settings.seedNodes());
                cluster.manager().tell(new JoinSeedNodes(seedAddresses(false)));
            }
            return Behaviors.same();
        }

        /** Blocking JDBC: runs only inside {@link #callTryFound}'s call on the blocking-I/O dispatcher. */
        private Optional<ClusterLease.Holder> readHolder() {
            try {
                return lease.get().holder();
            } catch (java.sql.SQLException e) {
                return Optional.empty();
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

        /**
         * Tracks the members moved Up before this node. This node founded the cluster when it joined
         * itself holding the lease: then no member older than itself was Up before it. A node that joined
         * a running cluster got that cluster's Up members in the gossip that welcomed it, always before
         * its own move to Up. (The events, not {@code cluster.state()}, which may lag behind them.)
         */
        Behavior<Command> onMemberUp(MemberWasUp event) {
            Member member = event.member();
            if (!member.uniqueAddress().equals(cluster.selfMember().uniqueAddress())) {
                if (!up) {
                    upBefore.add(member);
                }
                return Behaviors.same();
            }
            if (up) {
                return Behaviors.same();
            }
            up = true;
            boolean joinedItself = upBefore.stream().noneMatch(other -> other.isOlderThan(member));
            context.getLog().info("joined the cluster as {}{}", self, joinedItself ? ", the first member" : "");
            fence.ifPresent(f -> f.onUp(foundingLease && joinedItself));
            return Behaviors.same();
        }

        Behavior<Command> onIncarnationFounded(IncarnationFounded founded) {
            fence.ifPresent(f -> f.onFound(founded.incarnation(), founded.failure()));
            return Behaviors.same();
        }

        Behavior<Command> onIncarnationChecked(Checked checked) {
            fence.ifPresent(f -> f.onChecked(checked.check(), checked.failure()));
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
            } else {
                fence.get().onTick(isOldest());
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
                leaseCallInFlight = false;
                context.getLog()
                        .warn(
                                "renewing the founding lease failed: {}",
                                kept.failure().getMessage());
                return Behaviors.same();
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
