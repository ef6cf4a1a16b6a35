package io.varve.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The clients on one side of the campaign's network, run as their own JVM so that they resolve the
 * node names through their side's hosts file (the campaign starts it with
 * {@code -Djdk.net.hosts.file}): {@code producers} idempotent {@code acks=all} producers and two
 * consumers tailing the topic, one {@code read_committed}, one {@code read_uncommitted}. Writes
 * {@code acks-<side><n>.log} and {@code consumed-<side>-<isolation>.log} into the output directory,
 * and stops when the stop file appears (producers first, flushing what is in flight).
 *
 * <pre>
 *   Workload SIDE BOOTSTRAP TOPIC PARTITIONS PRODUCERS RECORDS_PER_SECOND OUT_DIR STOP_FILE
 * </pre>
 */
public final class Workload {
    private Workload() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println(
                    "usage: Workload SIDE BOOTSTRAP TOPIC PARTITIONS PRODUCERS RECORDS_PER_SECOND OUT_DIR STOP_FILE");
            System.exit(64);
        }
        char side = args[0].charAt(0);
        String bootstrap = args[1];
        String topic = args[2];
        int partitions = Integer.parseInt(args[3]);
        int producers = Integer.parseInt(args[4]);
        double rate = Double.parseDouble(args[5]);
        Path out = Path.of(args[6]);
        Path stopFile = Path.of(args[7]);
        Files.createDirectories(out);
        BooleanSupplier stop = () -> Files.exists(stopFile);

        List<Thread> producerThreads = new ArrayList<>();
        List<AckLog> logs = new ArrayList<>();
        for (int i = 1; i <= producers; i++) {
            AckLog acks = new AckLog(out.resolve("acks-" + side + i + ".log"));
            logs.add(acks);
            producerThreads.add(start(
                    "producer-" + side + i, new ProducerLoop(bootstrap, topic, partitions, side, i, rate, acks, stop)));
        }
        List<Thread> consumerThreads = new ArrayList<>();
        for (String isolation : List.of("read_committed", "read_uncommitted")) {
            Path file = out.resolve("consumed-" + side + "-" + isolation + ".log");
            consumerThreads.add(start(
                    "consumer-" + side + "-" + isolation, new TailConsumer(bootstrap, topic, isolation, file, stop)));
        }
        Thread flusher = start("ack-flusher", () -> {
            while (!stop.getAsBoolean()) {
                logs.forEach(AckLog::flush);
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        for (Thread t : producerThreads) {
            t.join();
        }
        flusher.join();
        for (AckLog acks : logs) {
            acks.close();
        }
        for (Thread t : consumerThreads) {
            t.join();
        }
        System.out.println("workload " + side + ": stopped");
    }

    private static Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.start();
        return thread;
    }
}
