package io.varve.metadata.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.TopicResults;
import io.varve.metadata.ScramSecret;
import io.varve.metadata.TestImages;
import io.varve.metadata.VarveSerializable;
import io.varve.metadata.controller.ClientMetadata;
import io.varve.metadata.controller.ControllerEvent;
import io.varve.metadata.controller.ControllerState;
import java.io.NotSerializableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KryoSerializerTest {
    private static ActorTestKit testKit;
    private static KryoSerializer serializer;
    private static ActorRef<Controller.MetadataPush> probeRef;

    record Unregistered(String name) implements VarveSerializable {}

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
        serializer = new KryoSerializer((ExtendedActorSystem) Adapter.toClassic(testKit.system()));
        TestProbe<Controller.MetadataPush> probe = testKit.createTestProbe();
        probeRef = probe.ref();
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void everyRegisteredClassRoundTrips() throws Exception {
        KryoSettings settings =
                KryoSettings.fromConfig(testKit.system().settings().config());
        Map<String, Object> samples = samplesByClassName();

        assertThat(samples.keySet())
                .containsExactlyInAnyOrderElementsOf(settings.classIds().keySet());
        for (Map.Entry<String, Object> sample : samples.entrySet()) {
            Object copy = roundTrip(sample.getValue());
            assertThat(copy).as(sample.getKey()).isEqualTo(sample.getValue());
        }
    }

    @Test
    void varveSerializableIsBoundToKryo() {
        var serialization = SerializationExtension.get(Adapter.toClassic(testKit.system()));

        assertThat(serialization.findSerializerFor(TestImages.image())).isInstanceOf(KryoSerializer.class);
        assertThat(serialization.findSerializerFor(TestImages.image()).identifier())
                .isEqualTo(7001);
    }

    @Test
    void unmodifiableCollectionsStayUnmodifiable() throws Exception {
        @SuppressWarnings("unchecked")
        List<Integer> list = (List<Integer>) roundTrip(List.of(1, 2, 3));
        @SuppressWarnings("unchecked")
        Map<String, Integer> map = (Map<String, Integer>) roundTrip(Map.of("a", 1, "b", 2));

        assertThat(list).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> list.add(4)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(map).containsExactlyInAnyOrderEntriesOf(Map.of("a", 1, "b", 2));
        assertThatThrownBy(() -> map.put("c", 3)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void unmodifiableListWithNullRoundTrips() throws Exception {
        List<String> withNull = Collections.unmodifiableList(new ArrayList<>(Arrays.asList("a", null)));

        assertThat(roundTrip(withNull)).isEqualTo(withNull);
    }

    @Test
    void unregisteredClassFailsNamingIt() {
        assertThatThrownBy(() -> serializer.toBinary(new Unregistered("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Unregistered.class.getName())
                .hasMessageContaining("varve.kryo.classes");
    }

    @Test
    void unregisteredClassInsideRegisteredOneFailsNamingIt() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<Controller.TopicResult> smuggled = (List) List.of(new Unregistered("x"));

        assertThatThrownBy(() -> serializer.toBinary(new TopicResults(smuggled)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(TopicResults.class.getName())
                .hasMessageContaining(Unregistered.class.getName());
    }

    @Test
    void garbageFailsToDeserialize() {
        assertThatThrownBy(() -> serializer.fromBinary(new byte[] {(byte) 0xff, (byte) 0x7f}, ""))
                .isInstanceOf(NotSerializableException.class)
                .hasMessageContaining("2 bytes");
    }

    @Test
    void duplicateIdsAreRejected() {
        assertThatThrownBy(() -> new KryoSettings(7001, Map.of("a.A", 100, "b.B", 100)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id 100");
    }

    @Test
    void idsOfKryoItselfAreRejected() {
        assertThatThrownBy(() -> new KryoSettings(7001, Map.of("a.A", 9)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a.A");
    }

    private static Object roundTrip(Object value) throws NotSerializableException {
        return serializer.fromBinary(serializer.toBinary(value), serializer.manifest(value));
    }

    private static Map<String, Object> samplesByClassName() {
        List<Object> samples = new ArrayList<>(supportSamples());
        samples.addAll(metadataSamples());
        Map<String, Object> byName = new HashMap<>();
        samples.forEach(sample -> byName.put(sample.getClass().getName(), sample));
        return byName;
    }

    private static List<Object> supportSamples() {
        List<Object> samples = new ArrayList<>();
        samples.add(new ArrayList<>(List.of(1, 2)));
        samples.add(new HashMap<>(Map.of("a", 1L)));
        samples.add(new LinkedHashMap<>(Map.of("a", true)));
        samples.add(new TreeMap<>(Map.of("a", "b")));
        samples.add(new HashSet<>(Set.of("a")));
        samples.add(new LinkedHashSet<>(Set.of(1)));
        samples.add(new TreeSet<>(Set.of(3, 1)));
        samples.add(List.of(1));
        samples.add(List.of(1, 2, 3));
        samples.add(List.of(1, 2, 3, 4).subList(1, 3));
        samples.add(Set.of("a"));
        samples.add(Set.of("a", "b", "c"));
        samples.add(Map.of("a", 1));
        samples.add(Map.of("a", 1, "b", 2));
        samples.add(Collections.unmodifiableList(new ArrayList<>(List.of(1))));
        samples.add(Collections.unmodifiableList(new LinkedList<>(List.of(1))));
        samples.add(Collections.unmodifiableSet(new HashSet<>(Set.of(1))));
        samples.add(Collections.unmodifiableMap(new HashMap<>(Map.of(1, "a"))));
        samples.add(Collections.unmodifiableSortedMap(new TreeMap<>(Map.of(1, "a"))));
        samples.add(Collections.unmodifiableNavigableMap(new TreeMap<>(Map.of(1, "a", 2, "b"))));
        samples.add(Collections.emptyList());
        samples.add(Collections.emptySet());
        samples.add(Collections.emptyMap());
        samples.add(Collections.singletonList("a"));
        samples.add(Collections.singleton("a"));
        samples.add(Collections.singletonMap("a", 1));
        samples.add(Optional.of("a"));
        samples.add(Duration.ofMillis(1500));
        samples.add(Instant.ofEpochMilli(1_700_000_000_123L));
        samples.add(new byte[] {1, 2, 3});
        samples.add(new int[] {1, -2});
        samples.add(new long[] {Long.MIN_VALUE, 3L});
        samples.add(new Uuid(-1L, 42L));
        samples.add(Errors.UNKNOWN_TOPIC_ID);
        samples.add(new TopicPartition("orders", 3));
        samples.add(probeRef);
        return samples;
    }

    private static List<Object> metadataSamples() {
        List<Integer> replicas = List.of(1, 2);
        return List.of(
                TestImages.BROKER_1,
                TestImages.image(),
                TestImages.orders(),
                TestImages.partition(0, 1, 2),
                new Controller.CreateTopics(
                        List.of(new Controller.NewTopic(
                                "orders", -1, (short) -1, Map.of(0, replicas), Map.of("cleanup.policy", "compact"))),
                        true,
                        testKit.<TopicResults>createTestProbe().ref()),
                new Controller.NewTopic("t", 3, (short) 1, Map.of(), Map.of()),
                new Controller.DeleteTopics(
                        List.of("orders"),
                        List.of(TestImages.ORDERS_ID),
                        testKit.<TopicResults>createTestProbe().ref()),
                new Controller.CreatePartitions(
                        List.of(new Controller.PartitionsIncrease("orders", 4, List.of(replicas, replicas))),
                        false,
                        testKit.<TopicResults>createTestProbe().ref()),
                new Controller.PartitionsIncrease("orders", 2, List.of()),
                new Controller.ReplaceConfigs(
                        "topic",
                        "orders",
                        Map.of("retention.ms", "1"),
                        false,
                        testKit.<Controller.OperationResult>createTestProbe().ref()),
                new Controller.AllocateProducerIds(
                        1, testKit.<Controller.ProducerIdBlock>createTestProbe().ref()),
                new Controller.RegisterBroker(
                        TestImages.BROKER_2,
                        TestImages.incarnation(2),
                        7L,
                        probeRef,
                        testKit.<Controller.Registration>createTestProbe().ref()),
                new Controller.GetImage(probeRef),
                new Controller.AlterPartition(
                        "orders",
                        0,
                        1,
                        5L,
                        3,
                        4,
                        List.of(new Controller.IsrMember(1, 5L), new Controller.IsrMember(2, -1L)),
                        testKit.<Controller.AlterPartitionResult>createTestProbe()
                                .ref()),
                new Controller.IsrMember(3, 9L),
                new Controller.LiveMembers(Set.of(TestImages.incarnation(1), TestImages.incarnation(2))),
                new Controller.ListenersChanged(Set.of(probeRef)),
                new Controller.Activate(),
                new Controller.CheckLeaderBalance(),
                new Controller.ControlledShutdown(
                        2,
                        TestImages.incarnation(2),
                        testKit.<Controller.ControlledShutdownResult>createTestProbe()
                                .ref()),
                new Controller.ElectLeaders(
                        Controller.ElectionType.PREFERRED,
                        Map.of("orders", List.of(0, 1)),
                        testKit.<Controller.ElectionResults>createTestProbe().ref()),
                new Controller.ElectLeaders(
                        Controller.ElectionType.UNCLEAN,
                        null,
                        testKit.<Controller.ElectionResults>createTestProbe().ref()),
                new Controller.ControlledShutdownResult(Errors.NONE, null, 0),
                new Controller.ElectionResults(List.of(
                        new Controller.ElectionResult("orders", 1, Errors.PREFERRED_LEADER_NOT_AVAILABLE, "not live"))),
                new Controller.ElectionResult("orders", 0, Errors.NONE, null),
                Controller.ElectionType.UNCLEAN,
                new Controller.Registration(Controller.RegistrationStatus.DUPLICATE, -1L, "taken"),
                Controller.RegistrationStatus.REGISTERED,
                new Controller.AlterPartitionResult(Errors.NONE, null, TestImages.partition(0, 1, 2)),
                new Controller.MetadataDelta(
                        8L,
                        List.of(
                                new ControllerEvent.ControllerActivated(2),
                                new ControllerEvent.BrokersFenced(List.of(1)))),
                new Controller.ImageChunk(7L, 0, 1, TestImages.image()),
                new io.varve.metadata.BrokerRegistration(TestImages.BROKER_1, TestImages.incarnation(1), 4L, true),
                new TopicResults(List.of(new Controller.TopicResult(
                        "orders", TestImages.ORDERS_ID, Errors.NONE, null, 2, (short) 2, Map.of()))),
                new Controller.TopicResult(
                        null, Uuid.ZERO_UUID, Errors.UNKNOWN_TOPIC_ID, "gone", -1, (short) -1, Map.of()),
                new Controller.OperationResult(Errors.INVALID_CONFIG, "bad"),
                new Controller.ProducerIdBlock(1, 1000L, 1000, Errors.NONE),
                new ControllerEvent.TopicCreated(
                        "orders", TestImages.ORDERS_ID, TestImages.orders().partitions(), Map.of()),
                new ControllerEvent.TopicDeleted("orders", TestImages.ORDERS_ID),
                new ControllerEvent.PartitionsCreated("orders", Map.of(2, TestImages.partition(2, 1))),
                new ControllerEvent.TopicConfigsReplaced("orders", Map.of("retention.ms", "5")),
                new ControllerEvent.BrokerConfigsReplaced("", Map.of("log.retention.ms", "5")),
                new ControllerEvent.ProducerIdsAllocated(1, 2000L, 1000),
                new ControllerEvent.BrokerRegistered(TestImages.BROKER_1, TestImages.incarnation(1)),
                new ControllerEvent.BrokersFenced(List.of(1, 2)),
                new ControllerEvent.PartitionsChanged(
                        List.of(new ControllerEvent.PartitionChange("orders", TestImages.partition(1, 2, 1)))),
                new ControllerEvent.PartitionChange("orders", TestImages.partition(0, 1)),
                new ControllerEvent.ControllerActivated(3),
                new ControllerState(TestImages.image(), 3000L),
                // partition reassignment
                new Controller.AlterReassignments(
                        List.of(
                                new Controller.ReassignmentTarget("orders", 0, List.of(2, 3), false),
                                new Controller.ReassignmentTarget("orders", 1, List.of(), true)),
                        false,
                        testKit.<Controller.ReassignmentResults>createTestProbe()
                                .ref()),
                new Controller.ListReassignments(
                        null,
                        testKit.<Controller.OngoingReassignments>createTestProbe()
                                .ref()),
                new Controller.ReassignmentResults(List.of(
                        new Controller.ReassignmentResult("orders", 0, Errors.NO_REASSIGNMENT_IN_PROGRESS, "none"))),
                new Controller.OngoingReassignments(List.of(
                        new Controller.OngoingReassignment("orders", 0, List.of(2, 3, 1), List.of(3), List.of(1)))),
                new ControllerEvent.ReassignmentStarted("orders", 0, List.of(1, 2), List.of(2, 3)),
                new ControllerEvent.ReassignmentEnded("orders", 0),
                new io.varve.metadata.controller.Reassignments.Move(List.of(1, 2), List.of(2, 3)),
                new io.varve.metadata.controller.Reassignments(Map.of(
                        "orders",
                        Map.of(0, new io.varve.metadata.controller.Reassignments.Move(List.of(1), List.of(3))))),
                new Controller.OngoingReassignment("orders", 1, List.of(3, 1), List.of(3), List.of(1)),
                new Controller.ReassignmentTarget("orders", 2, List.of(1, 3), false),
                new Controller.ReassignmentResult("orders", 2, Errors.NONE, null),
                new ControllerState(
                        TestImages.image(),
                        3000L,
                        io.varve.metadata.controller.ClientMetadata.EMPTY,
                        io.varve.metadata.controller.Reassignments.NONE.apply(
                                new ControllerEvent.ReassignmentStarted("orders", 1, List.of(1), List.of(2)))),
                // group configs and SCRAM credentials
                new Controller.ReplaceGroupConfigs(
                        "g",
                        Map.of("consumer.session.timeout.ms", "50000"),
                        false,
                        testKit.<Controller.OperationResult>createTestProbe().ref()),
                new Controller.DescribeGroupConfigs(
                        "g", testKit.<Controller.GroupConfigs>createTestProbe().ref()),
                new Controller.AlterScramCredentials(
                        List.of(SCRAM_UPSERTION),
                        List.of(new Controller.ScramDeletion("bob", (byte) 2)),
                        testKit.<Controller.ScramAlterResults>createTestProbe().ref()),
                SCRAM_UPSERTION,
                new Controller.ScramDeletion("bob", (byte) 2),
                new Controller.DescribeScramCredentials(testKit.<Controller.ScramCredentialInfos>createTestProbe()
                        .ref()),
                new Controller.GroupConfigs("g", Map.of("consumer.session.timeout.ms", "50000")),
                new Controller.ScramAlterResult("alice", Errors.RESOURCE_NOT_FOUND, "none"),
                new Controller.ScramAlterResults(List.of(new Controller.ScramAlterResult("alice", Errors.NONE, null))),
                new Controller.ScramCredentialInfos(Map.of("alice", Map.of((byte) 1, 4096))),
                new ControllerEvent.GroupConfigsReplaced("g", Map.of("consumer.session.timeout.ms", "50000")),
                new ControllerEvent.ScramCredentialUpserted("alice", (byte) 1, 4096, SECRET),
                new ControllerEvent.ScramCredentialRemoved("alice", (byte) 1),
                new ClientMetadata(
                        Map.of("g", Map.of("consumer.session.timeout.ms", "50000")),
                        Map.of("alice", Map.of((byte) 1, new ClientMetadata.ScramCredential(SECRET, 4096)))),
                new ClientMetadata.ScramCredential(SECRET, 8192),
                SECRET);
    }

    private static final ScramSecret SECRET = new ScramSecret(new byte[] {1, 2}, new byte[] {3, 4}, new byte[] {5});
    private static final Controller.ScramUpsertion SCRAM_UPSERTION =
            new Controller.ScramUpsertion("alice", (byte) 1, 4096, SECRET);
}
