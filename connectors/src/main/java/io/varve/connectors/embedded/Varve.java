package io.varve.connectors.embedded;

/**
 * Starts a Varve node inside this JVM: {@code Varve.builder().topic("orders", 3).start()} returns
 * a running {@link EmbeddedVarve} with a Kafka listener on a free port of 127.0.0.1 and its data in
 * a temporary directory that {@link EmbeddedVarve#close()} removes. The node is the same one
 * {@code bin/varve start} runs (actors module), in its own ActorSystem; Kafka clients reach it
 * through {@link EmbeddedVarve#bootstrapServers()}, and the in-process Pekko Streams stages of
 * {@code io.varve.connectors.stream} through the handle itself. docs/embedded.md.
 */
public final class Varve {
    private Varve() {}

    /** A builder with the defaults: temporary data directory, any free port, no topics. */
    public static VarveBuilder builder() {
        return new VarveBuilder();
    }

    /** A node with every default, started and ready; blocks until it is. */
    public static EmbeddedVarve start() {
        return builder().start();
    }
}
