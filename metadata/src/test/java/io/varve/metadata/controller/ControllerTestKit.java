package io.varve.metadata.controller;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.varve.metadata.BrokerInfo;
import io.varve.metadata.Controller;
import io.varve.metadata.Controller.LiveMembers;
import io.varve.metadata.Controller.NewTopic;
import io.varve.metadata.ControllerSettings;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TestImages;
import io.varve.metadata.TopicPolicy;
import io.varve.metadata.controller.ControllerEvent.BrokerRegistered;
import io.varve.metadata.controller.ControllerEvent.TopicCreated;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** Builds the controller under Pekko's event-sourced test kit, everything going through Kryo. */
final class ControllerTestKit {
    static final int SNAPSHOT_EVERY = 3;
    static final ControllerSettings SETTINGS = new ControllerSettings(
            "test-cluster-id",
            1,
            (short) 1,
            1000,
            SNAPSHOT_EVERY,
            Duration.ofSeconds(5),
            ControllerSettings.LeaderBalanceSettings.OFF);

    /** Rejects a non-numeric retention.ms the way the storage module's LogConfig would. */
    static final Function<Map<String, String>, Optional<String>> VALIDATOR = configs -> {
        String retention = configs.get("retention.ms");
        return retention == null || retention.matches("-?\\d+")
                ? Optional.empty()
                : Optional.of(
                        "Invalid value " + retention + " for configuration retention.ms: Not a number of type LONG");
    };

    /** {@link #VALIDATOR}, and unclean leader election as the topic (or broker) config says. */
    static final TopicPolicy POLICY = new TopicPolicy() {
        @Override
        public Optional<String> validate(Map<String, String> overrides) {
            return VALIDATOR.apply(overrides);
        }

        @Override
        public boolean uncleanLeaderElection(Map<String, String> topicOverrides, Map<String, String> brokerConfigs) {
            String key = "unclean.leader.election.enable";
            return Boolean.parseBoolean(topicOverrides.getOrDefault(key, brokerConfigs.getOrDefault(key, "false")));
        }
    };

    private ControllerTestKit() {}

    static Config config() {
        return ConfigFactory.parseString("pekko.actor.serialize-messages = on")
                .withFallback(EventSourcedBehaviorTestKit.config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config());
    }

    static EventSourcedBehaviorTestKit<Controller.Command, ControllerEvent, ControllerState> create(
            ActorSystem<?> system) {
        return EventSourcedBehaviorTestKit.create(
                system,
                Controller.create(SETTINGS, POLICY, 1),
                EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    }

    static NewTopic topic(String name, int partitions, int replicationFactor) {
        return new NewTopic(name, partitions, (short) replicationFactor, Map.of(), Map.of());
    }

    static NewTopic topicWithConfigs(String name, Map<String, String> configs) {
        return new NewTopic(name, -1, (short) -1, Map.of(), configs);
    }

    static NewTopic topicWithAssignments(
            String name, int partitions, int replicationFactor, Map<Integer, List<Integer>> assignments) {
        return new NewTopic(name, partitions, (short) replicationFactor, assignments, Map.of());
    }

    /**
     * A controller (under {@link #create}, cleared) on which brokers {@code 1..brokers} are registered
     * and live members ({@link TestImages#BROKER_1}, {@link TestImages#BROKER_2}, then {@code
     * 127.0.0.N:9092} without a rack), and the topic {@code "orders"} (id 7:7) has {@code partitions}.
     */
    static EventSourcedBehaviorTestKit<Controller.Command, ControllerEvent, ControllerState> withOrders(
            ActorSystem<?> system, int brokers, Map<Integer, PartitionRegistration> partitions) {
        EventSourcedBehaviorTestKit<Controller.Command, ControllerEvent, ControllerState> controller = create(system);
        controller.clear();
        List<ControllerEvent> events = new ArrayList<>();
        Set<String> live = new HashSet<>();
        for (int id = 1; id <= brokers; id++) {
            events.add(new BrokerRegistered(broker(id), TestImages.incarnation(id)));
            live.add(TestImages.incarnation(id));
        }
        events.add(new TopicCreated("orders", ORDERS, partitions, Map.of()));
        controller.initialize((Object[]) events.toArray(ControllerEvent[]::new));
        controller.runCommand(new LiveMembers(live));
        return controller;
    }

    /** The id of {@link #withOrders}'s topic. */
    static final Uuid ORDERS = new Uuid(7, 7);

    private static BrokerInfo broker(int id) {
        return switch (id) {
            case 1 -> TestImages.BROKER_1;
            case 2 -> TestImages.BROKER_2;
            default -> new BrokerInfo(id, "127.0.0." + id, 9092, null);
        };
    }
}
