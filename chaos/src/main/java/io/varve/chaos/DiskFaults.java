package io.varve.chaos;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disks of the {@code disk-full} and {@code slow-disk} faults: each node's data directory on its
 * own small file system, mounted before the nodes first start (root with CAP_SYS_ADMIN). Preferably an
 * ext4 file system on a loop device over a sparse image file in the run directory, which both faults
 * can use: {@link #fill} writes a filler file to the last free block (ENOSPC), {@link #slow} caps the
 * loop device's reads and writes with the blkio controller's throttle in the root cgroup (cgroup v1:
 * {@code blkio.throttle.*_bps_device}; the rule names only that device, so nothing else on the machine
 * slows down). Where loop devices are missing it falls back to a size-limited tmpfs, which only
 * {@code disk-full} can use. {@link #close} unmounts after the nodes stopped, copying each directory's
 * files back onto the disk below it, so the run directory holds the data as without the mounts ({@code
 * --check-only} and the replica comparison read it there).
 *
 * <p>Used from the campaign's thread only.
 */
final class DiskFaults implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiskFaults.class);
    static final String FILLER = "chaos-disk-full-filler";
    private static final Path BLKIO = Path.of("/sys/fs/cgroup/blkio");
    private static final String[] THROTTLES = {"blkio.throttle.write_bps_device", "blkio.throttle.read_bps_device"};

    /** One mounted data directory; {@code device} and {@code image} are null for a tmpfs. */
    private record Disk(Path dir, String device, Path image) {}

    private final List<Disk> disks = new ArrayList<>();
    private String slowRefused;

    private DiskFaults() {}

    /**
     * Mounts a file system of {@code megabytes} on every data directory; null (and a WARN saying why)
     * when this machine refuses even a tmpfs, so the campaign leaves the disk faults out.
     */
    static DiskFaults mount(List<Path> dataDirs, int megabytes) throws IOException, InterruptedException {
        DiskFaults faults = new DiskFaults();
        for (Path dir : dataDirs) {
            Files.createDirectories(dir);
            String loopRefused = faults.mountLoop(dir, megabytes);
            if (loopRefused != null) {
                faults.close(); // all tmpfs then: one kind of disk per run
                faults.slowRefused = "no ext4 on a loop device here (" + loopRefused + ")";
                log.warn("data directories on tmpfs: {}; slow-disk is left out", faults.slowRefused);
                return mountTmpfs(faults, dataDirs, megabytes);
            }
        }
        if (!Files.isWritable(BLKIO.resolve(THROTTLES[0]))) {
            faults.slowRefused = "no cgroup v1 blkio throttle at " + BLKIO.resolve(THROTTLES[0])
                    + " (cgroup v2 has no io.max in the root cgroup)";
        }
        return faults;
    }

    private static DiskFaults mountTmpfs(DiskFaults faults, List<Path> dataDirs, int megabytes)
            throws IOException, InterruptedException {
        for (Path dir : dataDirs) {
            String refused = run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString());
            if (refused != null) {
                log.warn(
                        "disk faults are left out: mounting a {} MiB tmpfs on {} was refused (it needs root with"
                                + " CAP_SYS_ADMIN): {}",
                        megabytes,
                        dir,
                        refused);
                faults.close();
                return null;
            }
            faults.disks.add(new Disk(dir, null, null));
            log.info("data directory {} is a {} MiB tmpfs", dir, megabytes);
        }
        return faults;
    }

    /** Mounts ext4 on a loop device over {@code dir}.img; null, or why not. */
    private String mountLoop(Path dir, int megabytes) throws IOException, InterruptedException {
        Path image = dir.resolveSibling(dir.getFileName() + ".img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength((long) megabytes << 20); // sparse: takes space only as the node writes
        }
        Process losetup = new ProcessBuilder("losetup", "-f", "--show", image.toString())
                .redirectErrorStream(true)
                .start();
        String device = new String(losetup.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!losetup.waitFor(60, TimeUnit.SECONDS) || losetup.exitValue() != 0) {
            Files.deleteIfExists(image);
            return "losetup: " + device;
        }
        String failed = run("mkfs.ext4", "-q", "-F", "-m", "0", device);
        failed = failed != null ? failed : run("mount", device, dir.toString());
        if (failed != null) {
            run("losetup", "-d", device);
            Files.deleteIfExists(image);
            return failed;
        }
        disks.add(new Disk(dir, device, image));
        // Kafka refuses to start with a directory that is no topic-partition in its log directory
        Files.deleteIfExists(dir.resolve("lost+found"));
        log.info("data directory {} is a {} MiB ext4 on {}", dir, megabytes, device);
        return null;
    }

    /** Null when {@link #slow} works here, else why not. */
    String slowRefused() {
        return slowRefused;
    }

    /** Fills {@code dir}'s file system: zeros to the filler file until ENOSPC; returns the bytes written. */
    long fill(Path dir) throws IOException {
        Path filler = dir.resolve(FILLER);
        long written = 0;
        for (int chunk : new int[] {1 << 20, 4096}) {
            byte[] zeros = new byte[chunk];
            try (OutputStream out =
                    Files.newOutputStream(filler, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
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

    /** Caps reads and writes of {@code dir}'s device at {@code bytesPerSecond}; 0 lifts the cap. */
    void slow(Path dir, long bytesPerSecond) throws IOException {
        Disk disk = disks.stream()
                .filter(d -> d.dir().equals(dir))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(dir + " is not a campaign disk"));
        if (disk.device() == null || slowRefused != null) {
            throw new IllegalStateException("slow-disk is not possible here: " + slowRefused);
        }
        String majorMinor = Files.readString(Path.of(
                        "/sys/block", Path.of(disk.device()).getFileName().toString(), "dev"))
                .trim();
        for (String throttle : THROTTLES) {
            Files.writeString(BLKIO.resolve(throttle), majorMinor + " " + bytesPerSecond + "\n");
        }
        if (bytesPerSecond > 0) {
            log.info(
                    "{} ({} {}): reads and writes capped at {} bytes/s",
                    dir,
                    disk.device(),
                    majorMinor,
                    bytesPerSecond);
        } else {
            log.info("{} ({} {}): cap lifted", dir, disk.device(), majorMinor);
        }
    }

    /** Unmounts every file system, keeping its files in the directory below; call once the nodes stopped. */
    @Override
    public void close() throws IOException {
        try {
            unmountAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + disks, e);
        }
    }

    private void unmountAll() throws IOException, InterruptedException {
        for (Disk disk : disks) {
            Path dir = disk.dir();
            if (disk.device() != null && slowRefused == null) {
                slow(dir, 0);
            }
            Files.deleteIfExists(dir.resolve(FILLER));
            Path keep = dir.resolveSibling(dir.getFileName() + ".unmounting");
            Files.createDirectories(keep);
            String failed = run("cp", "-a", dir + "/.", keep.toString());
            failed = failed != null ? failed : run("umount", dir.toString());
            if (failed == null && disk.device() != null) {
                failed = run("losetup", "-d", disk.device());
                Files.deleteIfExists(disk.image());
            }
            failed = failed != null ? failed : run("cp", "-a", keep + "/.", dir.toString());
            failed = failed != null ? failed : run("rm", "-rf", keep.toString());
            if (failed != null) {
                log.error("unmounting {} failed ({}); its files may be in {}", dir, failed, keep);
            }
        }
        disks.clear();
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
