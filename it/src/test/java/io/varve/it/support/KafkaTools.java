package io.varve.it.support;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Apache Kafka's own command-line tools (4.3.1) run in child JVMs on their own classpath, with their
 * logging at WARN on stderr so that stdout is exactly what the tool prints.
 */
public final class KafkaTools {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    public static final String TOPICS = "org.apache.kafka.tools.TopicCommand";
    public static final String CONSOLE_PRODUCER = "org.apache.kafka.tools.ConsoleProducer";
    public static final String CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer";
    public static final String GET_OFFSETS = "org.apache.kafka.tools.GetOffsetShell";
    public static final String DUMP_LOG = "org.apache.kafka.tools.DumpLogSegments";
    public static final String TRANSACTIONS = "org.apache.kafka.tools.TransactionsCommand";

    private KafkaTools() {}

    public static ChildJvm.Result run(String mainClass, String... args) throws IOException, InterruptedException {
        return runWithInput(mainClass, "", args);
    }

    public static ChildJvm.Result runWithInput(String mainClass, String stdin, String... args)
            throws IOException, InterruptedException {
        // their classpath carries logback: keep its default DEBUG console logging off stdout;
        // short-lived tools start faster with the client compiler only (2 shared cores)
        String logging =
                "-Dlogback.configurationFile=" + BuildFiles.itTarget().resolve("test-classes/kafka-tools-logback.xml");
        return ChildJvm.run(
                BuildFiles.kafkaToolsClasspath(),
                List.of(logging, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"),
                mainClass,
                List.of(args),
                stdin,
                TIMEOUT);
    }
}
