package io.varve.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A node counts as running until it is killed, even while its dead process waits to be reaped. */
class NodesTest {
    @Test
    void aKilledProcessIsNotRunningFromTheMomentItDied() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "600").start();
        Nodes nodes = new OneProcess(sleeper.pid());
        try {
            assertThat(nodes.isRunning(1)).isTrue();
            nodes.signal(1, "KILL"); // returns once /proc shows the process gone or a zombie
            assertThat(nodes.isRunning(1)).isFalse();
            assertThat(Nodes.isGone(sleeper.pid())).isTrue();
        } finally {
            sleeper.destroyForcibly();
        }
    }

    /** A campaign of one process, node 1. */
    private record OneProcess(long pid) implements Nodes {
        @Override
        public String system() {
            return "test";
        }

        @Override
        public void startMissing() {
            throw new UnsupportedOperationException();
        }

        @Override
        public long pid(int node) {
            return pid;
        }

        @Override
        public Path dataDir(int node) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }
}
