package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.BuildFiles;
import io.varve.it.support.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Varve's copy of Apache Kafka's broker config table (what AlterConfigs on a broker resource may
 * change, and where) is Kafka's own: {@code KafkaBrokerConfigsProbe} prints the table from Kafka
 * 4.3.1's classes in a child JVM, and it must equal the transport module's resource line for line.
 */
class KafkaBrokerConfigTableIT {
    private static final String RESOURCE = "/io/varve/transport/api/admin/configs/kafka-broker-configs.tsv";

    @Test
    void theTableIsKafkasOwn() throws Exception {
        String classpath =
                BuildFiles.itTarget().resolve("test-classes") + File.pathSeparator + BuildFiles.kafkaToolsClasspath();
        ChildJvm.Result kafka = ChildJvm.run(
                classpath,
                List.of("-XX:TieredStopAtLevel=1"),
                "io.varve.it.support.KafkaBrokerConfigsProbe",
                List.of(),
                "",
                Duration.ofSeconds(120));
        assertThat(kafka.exitCode()).as(kafka.toString()).isZero();

        assertThat(ours())
                .as("regenerate with: java -cp it/target/test-classes:$(cat kafka-tools/target/kafka-tools.classpath) "
                        + "io.varve.it.support.KafkaBrokerConfigsProbe (keep the # header)")
                .containsExactlyElementsOf(kafka.stdout().lines().toList())
                .hasSizeGreaterThan(300);
    }

    private static List<String> ours() throws IOException {
        try (InputStream in = KafkaBrokerConfigTableIT.class.getResourceAsStream(RESOURCE)) {
            assertThat(in).as(RESOURCE).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(line -> !line.startsWith("#"))
                    .toList();
        }
    }
}
