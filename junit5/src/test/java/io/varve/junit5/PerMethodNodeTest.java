package io.varve.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.connectors.embedded.EmbeddedVarve;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@code perMethod = true}: every test gets its own fresh node, closed after it. */
@VarveTest(perMethod = true, topics = @Topic(name = "fresh", partitions = 1))
class PerMethodNodeTest {
    private static final List<Path> dataDirs = new CopyOnWriteArrayList<>();

    @AfterAll
    static void everyNodeWasClosedAndItsDirectoryRemoved() {
        assertThat(dataDirs).hasSize(2).doesNotHaveDuplicates();
        assertThat(dataDirs).allSatisfy(dir -> assertThat(dir).doesNotExist());
    }

    @Test
    void first(EmbeddedVarve node) {
        dataDirs.add(node.dataDir());
        assertThat(node.partitionCount("fresh")).isEqualTo(1);
        node.createTopic("only-in-first", 1);
    }

    @Test
    void second(EmbeddedVarve node) {
        dataDirs.add(node.dataDir());
        assertThat(node.partitionCount("fresh")).isEqualTo(1);
        assertThat(node.partitionCount("only-in-first")).isZero();
    }
}
