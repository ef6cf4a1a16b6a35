package io.varve.storage.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.storage.internals.log.ProducerStateManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * Checks that Apache Kafka's own snapshot reader ({@code ProducerStateManager.readSnapshot}, which
 * {@code kafka-dump-log} calls) parses what Varve writes, and that Varve reads what Kafka writes.
 *
 * <p>Kafka's storage classes are loaded in an isolated class loader next to the kafka-clients jar of
 * their own version, as a Kafka distribution ships them: on the test classpath they sit next to
 * kafka-clients 4.4.0, which moved {@code org.apache.kafka.common.utils.Crc32C} to {@code
 * org.apache.kafka.common.utils.internals}, so a direct call fails with {@code NoClassDefFoundError}
 * when it computes the CRC.
 */
class KafkaProducerSnapshotCompatibilityTest {

    private static final String KAFKA_LOG = "org.apache.kafka.storage.internals.log.";

    @TempDir
    Path dir;

    private URLClassLoader kafka;

    @BeforeEach
    void loadKafka() throws IOException, URISyntaxException {
        Path storageJar = jarOf(ProducerStateManager.class);
        String version = storageJar.getParent().getFileName().toString();
        Path repository = storageJar
                .getParent()
                .getParent()
                .getParent()
                .getParent()
                .getParent()
                .getParent();
        Path clientsJar = repository.resolve(
                Path.of("org", "apache", "kafka", "kafka-clients", version, "kafka-clients-" + version + ".jar"));
        assumeTrue(
                Files.exists(clientsJar),
                "kafka-clients " + version + " (the version of kafka-storage) is not in the local repository: "
                        + clientsJar);
        URL[] jars = {
            storageJar.toUri().toURL(),
            clientsJar.toUri().toURL(),
            jarOf(Logger.class).toUri().toURL()
        };
        kafka = new URLClassLoader("kafka-" + version, jars, ClassLoader.getPlatformClassLoader());
    }

    @AfterEach
    void closeKafka() throws IOException {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void kafkaReadsOurSnapshot() throws Exception {
        List<ProducerEntry> written = List.of(
                new ProducerEntry(
                        1000L,
                        (short) 3,
                        List.of(new BatchMetadata(7, 9, 40, 42, 1_700L)),
                        1_700L,
                        -1,
                        OptionalLong.empty()),
                new ProducerEntry(
                        2000L,
                        (short) 1,
                        List.of(new BatchMetadata(Integer.MAX_VALUE - 1, 1, 43, 46, 1_800L)),
                        1_800L,
                        5,
                        OptionalLong.of(43L)),
                new ProducerEntry(3000L, (short) 2, List.of(), 1_900L, 6, OptionalLong.empty()));
        Path file = dir.resolve(ProducerSnapshotFile.fileName(47));
        ProducerSnapshotFile.write(file, written);

        Method readSnapshot = kafkaClass("ProducerStateManager").getMethod("readSnapshot", File.class);
        List<?> read = (List<?>) readSnapshot.invoke(null, file.toFile());

        List<ProducerEntry> converted = new ArrayList<>();
        for (Object kafkaEntry : read) {
            converted.add(fromKafka(kafkaEntry));
        }
        assertEquals(written, converted);
    }

    @Test
    void weReadKafkasSnapshot() throws Exception {
        Class<?> entryClass = kafkaClass("ProducerStateEntry");
        Constructor<?> newEntry =
                entryClass.getConstructor(long.class, short.class, int.class, long.class, OptionalLong.class);
        Method addBatch =
                entryClass.getDeclaredMethod("addBatch", short.class, int.class, long.class, int.class, long.class);
        addBatch.setAccessible(true);
        Object withBatch = newEntry.newInstance(1000L, (short) 4, 7, 1_500L, OptionalLong.of(90L));
        addBatch.invoke(withBatch, (short) 4, 12, 99L, 2, 1_500L);
        Object withoutBatch = newEntry.newInstance(2000L, (short) 0, -1, 1_600L, OptionalLong.empty());
        Map<Long, Object> producers = new LinkedHashMap<>();
        producers.put(1000L, withBatch);
        producers.put(2000L, withoutBatch);
        Path file = dir.resolve(ProducerSnapshotFile.fileName(100));

        kafkaClass("ProducerStateManager")
                .getMethod("writeSnapshot", File.class, Map.class, boolean.class)
                .invoke(null, file.toFile(), producers, true);

        assertEquals(
                List.of(
                        new ProducerEntry(
                                1000L,
                                (short) 4,
                                List.of(new BatchMetadata(10, 12, 97, 99, 1_500L)),
                                1_500L,
                                7,
                                OptionalLong.of(90L)),
                        new ProducerEntry(2000L, (short) 0, List.of(), 1_600L, -1, OptionalLong.empty())),
                ProducerSnapshotFile.read(file));
    }

    private Class<?> kafkaClass(String simpleName) throws ClassNotFoundException {
        return Class.forName(KAFKA_LOG + simpleName, true, kafka);
    }

    private static ProducerEntry fromKafka(Object entry) throws ReflectiveOperationException {
        List<BatchMetadata> batches = new ArrayList<>();
        for (Object batch : (Collection<?>) call(entry, "batchMetadata")) {
            batches.add(new BatchMetadata(
                    (int) call(batch, "firstSeq"),
                    (int) call(batch, "lastSeq"),
                    (long) call(batch, "firstOffset"),
                    (long) call(batch, "lastOffset"),
                    (long) call(batch, "timestamp")));
        }
        return new ProducerEntry(
                (long) call(entry, "producerId"),
                (short) call(entry, "producerEpoch"),
                batches,
                (long) call(entry, "lastTimestamp"),
                (int) call(entry, "coordinatorEpoch"),
                (OptionalLong) call(entry, "currentTxnFirstOffset"));
    }

    private static Object call(Object target, String method) throws ReflectiveOperationException {
        return target.getClass().getMethod(method).invoke(target);
    }

    private static Path jarOf(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
