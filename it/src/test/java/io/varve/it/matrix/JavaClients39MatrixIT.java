package io.varve.it.matrix;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.BuildFiles;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * kafka-clients 3.9.2 (the newest 3.x, copied to {@code it/target/clients-3.9} by the build), through
 * {@link JavaClientProbe} in a child JVM without the 4.x client.
 */
class JavaClients39MatrixIT extends ClientMatrix {
    private static final ClientProbe CLIENTS_39 =
            JavaClients44MatrixIT.javaProbe("3.9.2", BuildFiles.legacyClientClasspath());

    @Override
    ClientProbe probe() {
        return CLIENTS_39;
    }

    @Test
    void theProbeRunsWithoutTheFourXClient() {
        List<String> entries = List.of(BuildFiles.legacyClientClasspath().split(File.pathSeparator));
        assertThat(entries).anySatisfy(e -> assertThat(e).endsWith("kafka-clients-3.9.2.jar"));
        assertThat(entries).noneSatisfy(e -> assertThat(e).contains("kafka-clients-4"));
    }
}
