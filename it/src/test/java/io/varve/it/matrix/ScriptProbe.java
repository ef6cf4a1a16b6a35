package io.varve.it.matrix;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A client driven through a probe program that speaks the matrix's command contract itself (the
 * Python and Node scripts under {@code it/clients}, {@link JavaClientProbe} in a child JVM):
 * {@link #command()} is how to start it, the scenario and its arguments follow.
 */
abstract class ScriptProbe implements ClientProbe {
    /** The program and its leading arguments, e.g. {@code /usr/bin/python3 .../confluent_probe.py}. */
    protected abstract List<String> command();

    /** Starts the program with {@code args} (the scenario and its arguments); a subclass may run it otherwise. */
    protected ProbeRun start(List<String> args) throws IOException {
        return ProbeProcess.start(with(args), "");
    }

    private ProbeRun.Result run(String... args) throws IOException, InterruptedException {
        try (ProbeRun run = start(List.of(args))) {
            return run.await(TIMEOUT);
        }
    }

    private List<String> with(List<String> args) {
        List<String> command = new ArrayList<>(command());
        command.addAll(args);
        return command;
    }

    @Override
    public ProbeRun.Result version() throws IOException, InterruptedException {
        return run("version", "-");
    }

    @Override
    public ProbeRun.Result produce(String bootstrap, String topic, String codec, int count, boolean idempotent)
            throws IOException, InterruptedException {
        return run("produce", bootstrap, topic, codec, String.valueOf(count), String.valueOf(idempotent));
    }

    @Override
    public ProbeRun startConsume(String bootstrap, String topic, String from, int count) throws IOException {
        return start(List.of("consume", bootstrap, topic, from, String.valueOf(count)));
    }

    @Override
    public ProbeRun.Result watermarks(String bootstrap, String topic) throws IOException, InterruptedException {
        return run("watermarks", bootstrap, topic);
    }

    @Override
    public ProbeRun.Result group(String bootstrap, String topic, String group, int count)
            throws IOException, InterruptedException {
        return run("group", bootstrap, topic, group, String.valueOf(count));
    }

    @Override
    public ProbeRun.Result admin(String bootstrap, String topic, int partitions)
            throws IOException, InterruptedException {
        return run("admin", bootstrap, topic, String.valueOf(partitions));
    }

    @Override
    public ProbeRun.Result unknownTopic(String bootstrap, String topic) throws IOException, InterruptedException {
        return run("unknown-topic", bootstrap, topic);
    }

    /**
     * The transactional scenario (three transactions, then a read_committed read; see {@code
     * confluent_probe.py}); only the clients with a transactional producer have it.
     */
    public ProbeRun.Result transactions(
            String bootstrap, String input, String output, String group, String transactionalId, int count)
            throws IOException, InterruptedException {
        return run("transactions", bootstrap, input, output, group, transactionalId, String.valueOf(count));
    }

    @Override
    public ProbeRun.Result outOfRange(String bootstrap, String topic, long offset)
            throws IOException, InterruptedException {
        return run("out-of-range", bootstrap, topic, String.valueOf(offset));
    }
}
