package io.varve.metadata.controller;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.LiveMembers;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The controller's view of cluster membership: the incarnations ({@code UniqueAddress} strings) of
 * the members that are Up or WeaklyUp, sent to the controller whenever the set changes. It starts
 * from the cluster state when the controller starts (so the first set is complete, and no broker is
 * fenced while the initial member events trickle in), then follows member events: a member that is
 * leaving, exiting, downed or removed is no longer live, so a node shutting down or downed by the
 * split-brain resolver is fenced at once. A child of the controller, on its node.
 */
public final class MembershipWatcher {
    private MembershipWatcher() {}

    static Behavior<ClusterEvent.MemberEvent> create(ActorRef<Controller.Command> controller) {
        return Behaviors.setup(context -> {
            Cluster cluster = Cluster.get(context.getSystem());
            cluster.subscriptions().tell(Subscribe.create(context.getSelf(), ClusterEvent.MemberEvent.class));
            Set<String> initial = live(cluster);
            controller.tell(new LiveMembers(initial));
            return watching(cluster, controller, initial);
        });
    }

    private static Behavior<ClusterEvent.MemberEvent> watching(
            Cluster cluster, ActorRef<Controller.Command> controller, Set<String> last) {
        return Behaviors.receive(ClusterEvent.MemberEvent.class)
                .onAnyMessage(event -> {
                    Set<String> now = new HashSet<>(last);
                    String incarnation = incarnation(event.member());
                    if (event instanceof ClusterEvent.MemberUp || event instanceof ClusterEvent.MemberWeaklyUp) {
                        now.add(incarnation);
                    } else if (event instanceof ClusterEvent.MemberLeft
                            || event instanceof ClusterEvent.MemberExited
                            || event instanceof ClusterEvent.MemberDowned
                            || event instanceof ClusterEvent.MemberRemoved) {
                        now.remove(incarnation);
                    }
                    if (now.equals(last)) {
                        return Behaviors.same();
                    }
                    controller.tell(new LiveMembers(Set.copyOf(now)));
                    return watching(cluster, controller, Set.copyOf(now));
                })
                .build();
    }

    /** The incarnation string of a member, as nodes register with it. */
    public static String incarnation(Member member) {
        return member.uniqueAddress().toString();
    }

    private static Set<String> live(Cluster cluster) {
        Set<String> live = new HashSet<>();
        for (Member member : cluster.state().getMembers()) {
            if (member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp()) {
                live.add(incarnation(member));
            }
        }
        return Set.copyOf(live);
    }
}
