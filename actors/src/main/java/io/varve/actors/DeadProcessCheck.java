package io.varve.actors;

import io.varve.metadata.LocalOnly;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.ActorRefProvider;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.remote.RemoteActorRefProvider;
import scala.Option;

/**
 * Downs a member whose process died, as soon as the journal database says so, instead of after the
 * failure detector (about 6-7 s of silence) and {@code down-after} (3 s): this node holds its own
 * {@link ProcessLock} and polls which members hold theirs every {@code varve.cluster.dead-process-check};
 * {@link DeadProcesses} decides. A member judged dead is downed and its incarnation quarantined, which
 * marks it terminated in the cluster's reachability, so the leader removes it on its next tick rather
 * than when the failure detector would have marked it unreachable; the controller singleton and the
 * shards it hosted then start elsewhere after the removal margin. A paused or partitioned node keeps
 * its lock and stays the failure detector's and the split-brain resolver's business.
 *
 * <p>Only with a shared (PostgreSQL) journal. One per node, spawned by the {@link NodeGuardian}; the
 * lock's JDBC runs on Pekko's blocking-I/O dispatcher, one call at a time, answers piped back; its
 * session (and so the lock) ends when this actor stops.
 */
final class DeadProcessCheck {
    private DeadProcessCheck() {}

    /**
     * A node judges only once its lock session is this old: after the database restarted every lock
     * is gone, and the live nodes take theirs again within one read.
     */
    static final Duration SETTLE = Duration.ofSeconds(2);
    /** Polls in a row a member's lock must be missing from. */
    static final int CONFIRMATIONS = 2;

    sealed interface Command extends LocalOnly {}

    private record Tick() implements Command {}

    private record Polled(ProcessLock.Held held, Throwable failure) implements Command {}

    static Behavior<Command> create(JournalSettings journal, Path dataDir, Duration interval) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            context.setLoggerName(DeadProcessCheck.class);
            Cluster cluster = Cluster.get(context.getSystem());
            long self = cluster.selfMember().uniqueAddress().longUid();
            Executor blocking = context.getSystem()
                    .dispatchers()
                    .lookup(DispatcherSelector.fromConfig("pekko.actor.default-blocking-io-dispatcher"));
            ProcessLock lock = new ProcessLock(journal, dataDir, self);
            Checking checking = new Checking(
                    context, cluster, lock, blocking, new DeadProcesses(self, CONFIRMATIONS, SETTLE.toNanos()));
            timers.startTimerWithFixedDelay(new Tick(), interval);
            context.getSelf().tell(new Tick());
            return Behaviors.receive(Command.class)
                    .onMessage(Tick.class, tick -> checking.onTick())
                    .onMessage(Polled.class, checking::onPolled)
                    .onSignal(PostStop.class, stop -> checking.onStop())
                    .build();
        }));
    }

    /** Confined to the actor, apart from the lock, which only the one call in flight touches. */
    private static final class Checking {
        private final ActorContext<Command> context;
        private final Cluster cluster;
        private final ProcessLock lock;
        private final Executor blocking;
        private final DeadProcesses deaths;
        private boolean polling;
        private boolean failing;
        private CompletableFuture<ProcessLock.Held> call = CompletableFuture.completedFuture(null);

        Checking(
                ActorContext<Command> context,
                Cluster cluster,
                ProcessLock lock,
                Executor blocking,
                DeadProcesses deaths) {
            this.context = context;
            this.cluster = cluster;
            this.lock = lock;
            this.blocking = blocking;
            this.deaths = deaths;
        }

        Behavior<Command> onTick() {
            if (!polling) {
                polling = true;
                call = CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return lock.poll();
                            } catch (java.sql.SQLException e) {
                                throw new IllegalStateException(e.getMessage(), e);
                            }
                        },
                        blocking);
                context.pipeToSelf(call, Polled::new);
            }
            return Behaviors.same();
        }

        Behavior<Command> onPolled(Polled polled) {
            polling = false;
            if (polled.failure() != null) {
                if (!failing) {
                    failing = true;
                    context.getLog()
                            .warn(
                                    "cannot read the process locks in the journal database, retrying: {}",
                                    polled.failure().getMessage());
                }
                return Behaviors.same();
            }
            if (failing) {
                failing = false;
                context.getLog().info("the process locks in the journal database can be read again");
            }
            CurrentClusterState state = cluster.state();
            Map<Long, Member> byUid = new HashMap<>();
            List<DeadProcesses.Member> members = new ArrayList<>();
            Set<Member> unreachable = state.getUnreachable();
            for (Member member : state.getMembers()) {
                if (member.uniqueAddress().equals(cluster.selfMember().uniqueAddress())) {
                    continue;
                }
                MemberStatus status = member.status();
                long uid = member.uniqueAddress().longUid();
                byUid.put(uid, member);
                members.add(new DeadProcesses.Member(
                        uid,
                        status == MemberStatus.joining()
                                || status == MemberStatus.weaklyUp()
                                || status == MemberStatus.up(),
                        status != MemberStatus.down() && status != MemberStatus.removed(),
                        unreachable.contains(member)));
            }
            ProcessLock.Held held = polled.held();
            for (DeadProcesses.Member dead :
                    deaths.observe(held.keys(), held.sessionStartNanos(), System.nanoTime(), members)) {
                down(byUid.get(dead.uid()));
            }
            return Behaviors.same();
        }

        private void down(Member member) {
            Address address = member.address();
            long uid = member.uniqueAddress().longUid();
            context.getLog()
                    .warn(
                            "the process of member {} (incarnation {}) is gone: its lock in the journal database was"
                                    + " released; downing it now (varve.cluster.dead-process-check)",
                            address,
                            uid);
            cluster.manager().tell(new Down(address));
            // Pekko's leader removes a downed member once it is unreachable or terminated; the failure
            // detector would take seconds to say so of a process known dead, and quarantining that
            // incarnation says it now (as Pekko does itself when a new incarnation joins on its address)
            ActorRefProvider provider = ((ExtendedActorSystem) Adapter.toClassic(context.getSystem())).provider();
            if (provider instanceof RemoteActorRefProvider remote) {
                remote.quarantine(address, Option.<Object>apply(uid), "its process is gone (dead-process-check)");
            }
        }

        Behavior<Command> onStop() {
            // after the call in flight, if any: the lock is not thread-safe
            call.whenCompleteAsync((held, failure) -> lock.close(), blocking);
            return Behaviors.same();
        }
    }
}
