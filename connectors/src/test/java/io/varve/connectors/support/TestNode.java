package io.varve.connectors.support;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.embedded.Varve;
import io.varve.connectors.embedded.VarveBuilder;
import io.varve.storage.testing.SerializationCheckAppender;
import java.util.List;

/**
 * Embedded nodes as the connector tests start them: every message that is not local-only goes
 * through its serializer ({@code serialize-messages = on}, as across nodes), and closing the node
 * fails if any was dropped.
 */
public final class TestNode {
    private TestNode() {}

    public static VarveBuilder builder() {
        return Varve.builder().config("pekko.actor.serialize-messages", "on");
    }

    /** Closes {@code node} and fails if a message was dropped by serialization while it ran. */
    public static void close(EmbeddedVarve node) {
        if (node == null) {
            return;
        }
        node.close();
        List<String> dropped = SerializationCheckAppender.drain();
        if (!dropped.isEmpty()) {
            throw new AssertionError("messages failed serialize-messages verification: " + dropped);
        }
    }
}
