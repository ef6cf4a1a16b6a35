package io.varve.storage.cleaner;

import java.util.Locale;

/**
 * What one cleaning of one log did, for its summary log line (Kafka's cleaner prints the same figures):
 * the offset-map pass (bytes and records read, keys mapped) and the rewrite pass (bytes and records read
 * and written, records dropped for having no key), with their durations. Not thread-safe: filled by
 * the cleaner thread, read once it is done.
 */
public final class CleanerStats {
    private final long startNs = System.nanoTime();
    private long mapDoneNs = -1L;
    private long endNs = -1L;
    long mapBytesRead;
    long mapRecordsRead;
    long bytesRead;
    long recordsRead;
    long bytesWritten;
    long recordsWritten;
    long keylessRecords;
    long batchesDroppedUnread;
    int keysMapped;
    double mapUtilization;
    double probesPerLookup;
    int segmentsRead;
    int segmentsWritten;
    long throttledMs;

    void mapDone(KeyOffsetMap map) {
        mapDoneNs = System.nanoTime();
        keysMapped = map.size();
        mapUtilization = map.utilization();
    }

    void allDone(KeyOffsetMap map, CleanerThrottler throttler) {
        endNs = System.nanoTime();
        probesPerLookup = map.probesPerLookup();
        throttledMs = throttler.throttledMs();
    }

    public long bytesRead() {
        return bytesRead;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    public long recordsRead() {
        return recordsRead;
    }

    public long recordsWritten() {
        return recordsWritten;
    }

    public long mapBytesRead() {
        return mapBytesRead;
    }

    public int keysMapped() {
        return keysMapped;
    }

    public long keylessRecords() {
        return keylessRecords;
    }

    /** Batches of the rewrite pass dropped whole without their records being read (every one superseded). */
    public long batchesDroppedUnread() {
        return batchesDroppedUnread;
    }

    public double elapsedSeconds() {
        return (endNs - startNs) / 1e9;
    }

    public double mapSeconds() {
        return (mapDoneNs - startNs) / 1e9;
    }

    /**
     * Kafka's headline figure: bytes of log rewritten per second of the whole cleaning (map pass
     * included), in MB/s (10^6 bytes).
     */
    public double throughputMbPerSecond() {
        double seconds = elapsedSeconds();
        return seconds <= 0 ? 0.0 : bytesRead / 1e6 / seconds;
    }

    /** One line: sizes before and after, keys, durations, throughput. */
    public String summary() {
        return String.format(
                Locale.ROOT,
                "%.1f MB of log processed in %.2f s (%.1f MB/s): map %.1f MB, %d records, %d keys (%.1f%% of the"
                        + " map, %.2f probes a lookup) in %.2f s; rewrite %d -> %d segments, %.1f MB -> %.1f MB"
                        + " (%d -> %d records, %d without a key, %d batches dropped unread) in %.2f s; %.1f%% smaller; throttled %d ms",
                bytesRead / 1e6,
                elapsedSeconds(),
                throughputMbPerSecond(),
                mapBytesRead / 1e6,
                mapRecordsRead,
                keysMapped,
                mapUtilization * 100,
                probesPerLookup,
                mapSeconds(),
                segmentsRead,
                segmentsWritten,
                bytesRead / 1e6,
                bytesWritten / 1e6,
                recordsRead,
                recordsWritten,
                keylessRecords,
                batchesDroppedUnread,
                elapsedSeconds() - mapSeconds(),
                bytesRead == 0 ? 0.0 : 100.0 * (bytesRead - bytesWritten) / bytesRead,
                throttledMs);
    }
}
