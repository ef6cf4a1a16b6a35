package io.varve.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disks of the {@code disk-full} fault: each node's data directory on its own size-limited tmpfs
 * (mounted before the nodes first start; needs root with CAP_SYS_ADMIN), one of them filled to the last
 * byte by a filler file, then freed. {@link #close} unmounts after the nodes stopped, copying each
 * directory's files back onto the disk below it, so the run directory holds the data as without the
 * tmpfs ({@code --check-only} and the replica comparison read it there).
 *
 * <p>Used from the campaign's thread only.
 */
final class DiskFaults implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiskFaults.class);
    static final String FILLER = "chaos-disk-full-filler";

    private final List<Path> mounted = new ArrayList<>();

    private DiskFaults() {}

    /**
     * Mounts a tmpfs of {@code megabytes} on every data directory; null (and a WARN saying why) when
     * this machine refuses the first mount, so the campaign leaves the fault out.
     */
    static DiskFaults mount(List<Path> dataDirs, int megabytes) throws IOException, InterruptedException {
        DiskFaults disks = new DiskFaults();
        for (Path dir : dataDirs) {
            Files.createDirectories(dir);
            String refused = run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString());
            if (refused != null) {
                log.warn(
                        "disk-full is left out: mounting a {} MiB tmpfs on {} was refused (it needs root with"
                                + " CAP_SYS_ADMIN): {}",
                        megabytes,
                        dir,
                        refused);
                disks.close();
                return null;
            }
            disks.mounted.add(dir);
            log.info("data directory {} is a {} MiB tmpfs", dir, megabytes);
        }
        return disks;
    }

    /** Fills {@code dir}'s tmpfs: writes zeros to the filler file until ENOSPC; returns the bytes written. */
    long fill(Path dir) throws IOException {
        Path filler = dir.resolve(FILLER);
        long written = 0;
        for (int chunk : new int[] {1 << 20, 4096}) {
            byte[] zeros = new byte[chunk];
            try (OutputStream out = Files.newOutputStream(
                    filler, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                while (true) {
                    out.write(zeros);
                    out.flush();
                    written += chunk;
                }
            } catch (IOException full) {
                // "No space left on device": the next, smaller chunk takes what is left
            }
        }
        log.info(
                "filled {}: {} bytes, {} bytes usable now",
                dir,
                written,
                Files.getFileStore(dir).getUsableSpace());
        return written;
    }

    /** Removes the filler of {@code dir}. */
    void free(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(FILLER));
    }

    /** Unmounts every tmpfs, keeping its files in the directory below; call once the nodes stopped. */
    @Override
    public void close() throws IOException {
        try {
            unmountAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + mounted, e);
        }
    }

    private void unmountAll() throws IOException, InterruptedException {
        for (Path dir : mounted) {
            Files.deleteIfExists(dir.resolve(FILLER));
            Path keep = dir.resolveSibling(dir.getFileName() + ".unmounting");
            Files.createDirectories(keep);
            String failed = run("cp", "-a", dir + "/.", keep.toString());
            failed = failed != null ? failed : run("umount", dir.toString());
            failed = failed != null ? failed : run("cp", "-a", keep + "/.", dir.toString());
            failed = failed != null ? failed : run("rm", "-rf", keep.toString());
            if (failed != null) {
                log.error("unmounting the tmpfs on {} failed ({}); its files may be in {}", dir, failed, keep);
            }
        }
        mounted.clear();
    }

    /** Runs a command; null when it succeeded, else its exit status and output. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return command[0] + " could not run: " + e.getMessage();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return String.join(" ", command) + " did not finish in 120 s";
        }
        return process.exitValue() == 0 ? null : "exit status " + process.exitValue() + ": " + output;
    }
}
