package io.varve.storage.log;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Kafka's file names inside a partition directory: a segment's files are named by its base offset
 * as 20 zero-padded digits ({@code 00000000000000000042.log}), with the suffixes below; a segment
 * scheduled for deletion carries an extra {@code .deleted} suffix.
 */
public final class LogFiles {
    public static final String LOG_SUFFIX = ".log";
    public static final String INDEX_SUFFIX = ".index";
    public static final String TIME_INDEX_SUFFIX = ".timeindex";
    public static final String TXN_INDEX_SUFFIX = ".txnindex";
    public static final String SNAPSHOT_SUFFIX = ".snapshot";
    public static final String DELETED_SUFFIX = ".deleted";
    public static final String CLEANED_SUFFIX = ".cleaned";
    public static final String SWAP_SUFFIX = ".swap";

    private LogFiles() {}

    /** {@code 00000000000000000042} for 42. */
    public static String filenamePrefix(long offset) {
        return String.format("%020d", offset);
    }

    public static Path logFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + LOG_SUFFIX);
    }

    public static Path offsetIndexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + INDEX_SUFFIX);
    }

    public static Path timeIndexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + TIME_INDEX_SUFFIX);
    }

    public static Path txnIndexFile(Path dir, long baseOffset) {
        return dir.resolve(filenamePrefix(baseOffset) + TXN_INDEX_SUFFIX);
    }

    /** The base offset a file name starts with, if it is one of a segment's files. */
    public static OptionalLong offsetFromFileName(String name) {
        int dot = name.indexOf('.');
        if (dot != 20) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(name.substring(0, dot)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** {@code <topic>-<partition>}, the directory name Kafka gives a partition's log. */
    public static String dirName(String topic, int partition) {
        return topic + "-" + partition;
    }
}
