package io.varve.storage.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A size-limited tmpfs mounted on a test's directory, to run out of disk space for real ({@code
 * ENOSPC}) in one place only. Mounting needs root (CAP_SYS_ADMIN): where it is refused, {@link
 * #mountOrSkip} skips the test through a JUnit assumption whose message says why. Owned by the test
 * thread; {@link #close} unmounts (lazily, so a file still open elsewhere does not keep it).
 */
public final class Tmpfs implements AutoCloseable {
    private final Path dir;
    private boolean mounted = true;

    private Tmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code sizeBytes} on {@code dir} (created, left empty), or skips the test. */
    public static Tmpfs mountOrSkip(Path dir, long sizeBytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        unmountIfMounted(dir);
        String result = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes, "tmpfs", dir.toString()));
        Assumptions.assumeTrue(
                result == null,
                () -> "skipped: this test runs out of disk space on a size-limited tmpfs, and mounting one on " + dir
                        + " was refused (it needs root with CAP_SYS_ADMIN): " + result);
        return new Tmpfs(dir);
    }

    /** Unmounts a tmpfs an earlier, interrupted run left on {@code dir}. */
    public static void unmountIfMounted(Path dir) throws IOException, InterruptedException {
        String mounts = Files.readString(Path.of("/proc/mounts"), StandardCharsets.UTF_8);
        if (mounts.contains(" " + dir.toAbsolutePath() + " ")) {
            run(List.of("umount", "-l", dir.toAbsolutePath().toString()));
        }
    }

    public Path dir() {
        return dir;
    }

    /**
     * Writes zeros to {@code file} (in this tmpfs) until the disk is full; returns the bytes written.
     * The write that fails with "No space left on device" ends it.
     */
    public long fill(Path file) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        long written = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            while (true) {
                try {
                    out.write(chunk);
                    out.flush();
                } catch (IOException full) {
                    break;
                }
                written += chunk.length;
                if (written > 1L << 34) {
                    throw new IOException(dir + " did not fill up after " + written + " bytes: not a sized tmpfs?");
                }
            }
        } catch (IOException closing) {
            // closing flushes nothing more (every write was flushed); a full disk may still refuse it
        }
        // a 64 KiB write may fail with room for less: fill the last bytes one page at a time
        try (OutputStream out = Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND)) {
            byte[] page = new byte[4096];
            while (true) {
                out.write(page);
                out.flush();
                written += page.length;
            }
        } catch (IOException full) {
            return written;
        }
    }

    @Override
    public void close() throws IOException {
        if (mounted) {
            mounted = false;
            String result;
            try {
                result = run(List.of("umount", "-l", dir.toString()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted unmounting " + dir, e);
            }
            if (result != null) {
                throw new IOException("unmounting " + dir + " failed: " + result);
            }
        }
    }

    /** Runs a command; null when it succeeded, else its exit status and output. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return command.get(0) + " could not run: " + e.getMessage();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return String.join(" ", command) + " did not finish in 30 s";
        }
        return process.exitValue() == 0 ? null : "exit status " + process.exitValue() + ": " + output;
    }
}
