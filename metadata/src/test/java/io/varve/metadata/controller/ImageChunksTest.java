package io.varve.metadata.controller;

import static io.varve.metadata.TestImages.BROKER_1;
import static io.varve.metadata.TestImages.incarnation;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller.ImageChunk;
import io.varve.metadata.Controller.MetadataDelta;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.controller.ControllerEvent.BrokerRegistered;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import io.varve.metadata.controller.ControllerEvent.TopicCreated;
import io.varve.metadata.serialization.KryoSerializer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A cluster of 10,000 partitions: its full image and its largest deltas travel in messages far below
 * Artery's 256 KiB maximum frame size, and come back together unchanged.
 */
class ImageChunksTest {
    private static final int ARTERY_MAX_FRAME = 256 * 1024;
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private static final KryoSerializer KRYO =
            new KryoSerializer((ExtendedActorSystem) Adapter.toClassic(TEST_KIT.system()));

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    /** 100 topics of 50 partitions and one of 5,000, replicas over 3 brokers. */
    private static MetadataImage tenThousandPartitions() {
        List<ControllerEvent> events = new ArrayList<>();
        events.add(new BrokerRegistered(BROKER_1, incarnation(1)));
        for (int t = 0; t < 100; t++) {
            events.add(topic("topic-with-a-realistic-name-" + t, t + 1, 50));
        }
        events.add(topic("big", 1000, 5000));
        return MetadataImageTransition.applyAll(ControllerState.initial("c").image(), EventChunks.split(events));
    }

    private static TopicCreated topic(String name, long id, int partitions) {
        Map<Integer, PartitionRegistration> all = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            List<Integer> replicas = List.of(p % 3 + 1, (p + 1) % 3 + 1, (p + 2) % 3 + 1);
            all.put(p, new PartitionRegistration(p, replicas, replicas, replicas.get(0), 3, 17));
        }
        return new TopicCreated(name, new Uuid(id, id), all, Map.of("retention.ms", "86400000"));
    }

    @Test
    void aFullImageOf10000PartitionsTravelsInSmallChunksAndReassembles() throws Exception {
        MetadataImage image = tenThousandPartitions();
        assertThat(image.topicsByName().values().stream()
                        .mapToInt(t -> t.partitions().size())
                        .sum())
                .isEqualTo(10_000);

        List<ImageChunk> chunks = new ArrayList<>(ImageChunks.chunks(image));
        int largest =
                chunks.stream().mapToInt(c -> KRYO.toBinary(c).length).max().orElseThrow();
        Collections.reverse(chunks);
        ImageChunks.Assembler assembler = new ImageChunks.Assembler();
        MetadataImage back = null;
        for (ImageChunk chunk : chunks) {
            back = assembler
                    .add((ImageChunk) KRYO.fromBinary(KRYO.toBinary(chunk), KRYO.manifest(chunk)))
                    .orElse(null);
        }

        assertThat(chunks).hasSizeGreaterThanOrEqualTo(10);
        assertThat(largest).isLessThan(ARTERY_MAX_FRAME / 2);
        assertThat(back).isEqualTo(image);
    }

    @Test
    void partitionChangesOf10000PartitionsArePushedAsSmallDeltas() {
        MetadataImage image = tenThousandPartitions();
        List<PartitionChange> changes = new ArrayList<>();
        image.topicsByName().values().forEach(topic -> topic.partitions()
                .values()
                .forEach(p -> changes.add(new PartitionChange(
                        topic.name(),
                        new PartitionRegistration(
                                p.partition(),
                                p.replicas(),
                                List.of(p.leader()),
                                p.leader(),
                                p.leaderEpoch(),
                                p.partitionEpoch() + 1)))));

        List<ControllerEvent> events = EventChunks.changed(changes);
        List<MetadataDelta> deltas = ImageChunks.deltas(image.offset() + 1, events);

        assertThat(events).hasSize(10);
        assertThat(deltas).hasSize(10);
        assertThat(deltas.stream().mapToInt(d -> KRYO.toBinary(d).length).max().orElseThrow())
                .isLessThan(ARTERY_MAX_FRAME / 2);
        MetadataImage applied = image;
        for (MetadataDelta delta : deltas) {
            assertThat(delta.baseOffset()).isEqualTo(applied.offset() + 1);
            applied = MetadataImageTransition.applyAll(applied, delta.events());
        }
        assertThat(applied).isEqualTo(MetadataImageTransition.applyAll(image, events));
        assertThat(applied.topic("big").orElseThrow().partitions().get(4999).isr())
                .hasSize(1);
    }
}
