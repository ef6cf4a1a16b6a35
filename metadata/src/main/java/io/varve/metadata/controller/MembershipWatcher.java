package io.varve.metadata.controller;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.LiveMembers;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The controller's view of which brokers are alive: the incarnations ({@code UniqueAddress} strings)
 * of the members that are Up or WeaklyUp <em>and reachable</em>, sent to the controller whenever the
 * set changes. A member the failure detector marks unreachable is not live from that moment — the
 * controller fences it and moves its leadership at once, as KRaft fences a broker whose heartbeats
 * stopped, without waiting for the split-brain resolver to down it; if it becomes reachable again it
 * registers again and rejoins the ISRs by fetching. A member that is leaving, exiting, downed or
 * removed is not live either, so a node shutting down is fenced when it starts leaving.
 *
 * <p>It starts from the cluster state when the controller starts (so the first set is complete and
 * no broker is fenced while the initial events trickle in), then follows member and reachability
 * events. A child of the controller, on its node; its state is confined to it.
 */
public final class MembershipWatcher {
    private MembershipWatcher() {}

    static Behavior<ClusterEvent.ClusterDomainEvent> create(ActorRef<Controller.Command> controller) {
        return Behaviors.setup(context -> {
            Cluster cluster = Cluster.get(context.getSystem());
            ActorRef<ClusterEvent.MemberEvent> members = context.getSelf().narrow();
            ActorRef<ClusterEvent.ReachabilityEvent> reachability =
                    context.getSelf().narrow();
            cluster.subscriptions().tell(Subscribe.create(members, ClusterEvent.MemberEvent.class));
            cluster.subscriptions().tell(Subscribe.create(reachability, ClusterEvent.ReachabilityEvent.class));
            Set<String> up = new HashSet<>();
            Set<String> unreachable = new HashSet<>();
            for (Member member : cluster.state().getMembers()) {
                if (isUp(member)) {
                    up.add(incarnation(member));
                }
            }
            for (Member member : cluster.state().getUnreachable()) {
                unreachable.add(incarnation(member));
            }
            Watching watching = new Watching(context, controller, up, unreachable);
            watching.report();
            return Behaviors.receive(ClusterEvent.ClusterDomainEvent.class)
                    .onMessage(ClusterEvent.MemberEvent.class, watching::onMember)
                    .onMessage(ClusterEvent.ReachabilityEvent.class, watching::onReachability)
                    .build();
        });
    }

    /** The incarnation string of a member, as nodes register with it. */
    public static String incarnation(Member member) {
        return member.uniqueAddress().toString();
    }

    private static boolean isUp(Member member) {
        return member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp();
    }

    /** Members Up and members unreachable; live = the first minus the second. Confined to the actor. */
    private static final class Watching {
        private final ActorContext<ClusterEvent.ClusterDomainEvent> context;
        private final ActorRef<Controller.Command> controller;
        private final Set<String> up;
        private final Set<String> unreachable;
        private Set<String> reported = Set.of();

        Watching(
                ActorContext<ClusterEvent.ClusterDomainEvent> context,
                ActorRef<Controller.Command> controller,
                Set<String> up,
                Set<String> unreachable) {
            this.context = context;
            this.controller = controller;
            this.up = up;
            this.unreachable = unreachable;
        }

        Behavior<ClusterEvent.ClusterDomainEvent> onMember(ClusterEvent.MemberEvent event) {
            String incarnation = incarnation(event.member());
            if (event instanceof ClusterEvent.MemberUp || event instanceof ClusterEvent.MemberWeaklyUp) {
                up.add(incarnation);
            } else if (event instanceof ClusterEvent.MemberLeft
                    || event instanceof ClusterEvent.MemberExited
                    || event instanceof ClusterEvent.MemberDowned
                    || event instanceof ClusterEvent.MemberRemoved) {
                up.remove(incarnation);
            }
            if (event instanceof ClusterEvent.MemberRemoved) {
                unreachable.remove(incarnation);
            }
            report();
            return Behaviors.same();
        }

        Behavior<ClusterEvent.ClusterDomainEvent> onReachability(ClusterEvent.ReachabilityEvent event) {
            String incarnation = incarnation(event.member());
            if (event instanceof ClusterEvent.UnreachableMember) {
                unreachable.add(incarnation);
                context.getLog().info("{} is unreachable: it is no longer a live broker", incarnation);
            } else {
                unreachable.remove(incarnation);
            }
            report();
            return Behaviors.same();
        }

        void report() {
            Set<String> live = new HashSet<>(up);
            live.removeAll(unreachable);
            if (!live.equals(reported)) {
                reported = Set.copyOf(live);
                controller.tell(new LiveMembers(reported));
            }
        }
    }
}
