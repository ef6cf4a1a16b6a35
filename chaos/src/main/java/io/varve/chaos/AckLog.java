package io.varve.chaos;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What one producer of a workload learnt about its records, one line each, for the checker:
 *
 * <pre>
 *   A ackTimeMs partition offset seq      acknowledged at that offset
 *   F timeMs partition seq ErrorClass      failed (not acknowledged)
 *   R timeMs ErrorClass                    the producer was closed after a fatal error and recreated
 * </pre>
 *
 * <p>Thread-safe (the producer's I/O thread runs the callbacks, the workload's loop writes restarts).
 */
final class AckLog implements AutoCloseable {
    private final BufferedWriter out;

    AckLog(Path file) throws IOException {
        this.out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
    }

    synchronized void acknowledged(long timeMs, int partition, long offset, long seq) {
        write("A " + timeMs + ' ' + partition + ' ' + offset + ' ' + seq);
    }

    synchronized void failed(long timeMs, int partition, long seq, Throwable error) {
        write("F " + timeMs + ' ' + partition + ' ' + seq + ' '
                + error.getClass().getSimpleName());
    }

    synchronized void restarted(long timeMs, Throwable error) {
        write("R " + timeMs + ' ' + error.getClass().getSimpleName());
    }

    synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void write(String line) {
        try {
            out.write(line);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
