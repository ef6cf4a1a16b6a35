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

    private ProbeProcess.Result run(String... args) throws IOException, InterruptedException {
        return ProbeProcess.run(with(args), "", TIMEOUT);
    }

    private List<String> with(String... args) {
        List<String> command = new ArrayList<>(command());
        command.addAll(List.of(args));
        return command;
    }

    @Override
    public ProbeProcess.Result version() throws IOException, InterruptedException {
        return run("version", "-");
    }

    @Override
    public ProbeProcess.Result produce(String bootstrap, String topic, String codec, int count, boolean idempotent)
            throws IOException, InterruptedException {
        return run("produce", bootstrap, topic, codec, String.valueOf(count), String.valueOf(idempotent));
    }

    @Override
    public ProbeProcess startConsume(String bootstrap, String topic, String from, int count) throws IOException {
        return ProbeProcess.start(with("consume", bootstrap, topic, from, String.valueOf(count)), "");
    }

    @Override
    public ProbeProcess.Result watermarks(String bootstrap, String topic) throws IOException, InterruptedException {
        return run("watermarks", bootstrap, topic);
    }

    @Override
    public ProbeProcess.Result group(String bootstrap, String topic, String group, int count)
            throws IOException, InterruptedException {
        return run("group", bootstrap, topic, group, String.valueOf(count));
    }

    @Override
    public ProbeProcess.Result admin(String bootstrap, String topic, int partitions)
            throws IOException, InterruptedException {
        return run("admin", bootstrap, topic, String.valueOf(partitions));
    }

    @Override
    public ProbeProcess.Result unknownTopic(String bootstrap, String topic) throws IOException, InterruptedException {
        return run("unknown-topic", bootstrap, topic);
    }

    @Override
    public ProbeProcess.Result outOfRange(String bootstrap, String topic, long offset)
            throws IOException, InterruptedException {
        return run("out-of-range", bootstrap, topic, String.valueOf(offset));
    }
}
