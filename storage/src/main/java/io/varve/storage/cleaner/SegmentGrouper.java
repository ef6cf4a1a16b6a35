package io.varve.storage.cleaner;

import java.util.ArrayList;
import java.util.List;

/**
 * Groups consecutive segments into the segments a cleaning writes, as Kafka does, so that cleaning does
 * not leave a trail of tiny segments: a group grows while its log bytes stay within {@code segment.bytes},
 * its offset- and time-index bytes within {@code segment.index.bytes}, and its offsets within what a
 * segment can address relative to its base offset (2^31 - 1). An empty segment never breaks a group on
 * offsets. Stateless.
 */
final class SegmentGrouper {
    private SegmentGrouper() {}

    static List<List<CleaningSnapshot.Segment>> group(
            List<CleaningSnapshot.Segment> segments, int maxSize, int maxIndexSize, long firstUncleanableOffset) {
        List<List<CleaningSnapshot.Segment>> groups = new ArrayList<>();
        int i = 0;
        while (i < segments.size()) {
            CleaningSnapshot.Segment first = segments.get(i);
            List<CleaningSnapshot.Segment> group = new ArrayList<>(List.of(first));
            long logBytes = first.size();
            long indexBytes = first.offsetIndexBytes();
            long timeIndexBytes = first.timeIndexBytes();
            i++;
            while (i < segments.size()) {
                CleaningSnapshot.Segment next = segments.get(i);
                long lastOffset =
                        i + 1 < segments.size() ? segments.get(i + 1).baseOffset() - 1 : firstUncleanableOffset - 1;
                boolean fits = logBytes + next.size() <= maxSize
                        && indexBytes + next.offsetIndexBytes() <= maxIndexSize
                        && timeIndexBytes + next.timeIndexBytes() <= maxIndexSize
                        && (next.size() == 0 || lastOffset - first.baseOffset() <= Integer.MAX_VALUE);
                if (!fits) {
                    break;
                }
                group.add(next);
                logBytes += next.size();
                indexBytes += next.offsetIndexBytes();
                timeIndexBytes += next.timeIndexBytes();
                i++;
            }
            groups.add(group);
        }
        return groups;
    }
}
