package io.varve.storage.cleaner;

import io.varve.storage.log.LogSegment;
import java.util.List;

/**
 * One cleaned segment, complete on disk under its {@code .cleaned} names, and the segments it replaces
 * with their sizes as the snapshot saw them (the owner checks both before the swap).
 */
public record CleanedGroup(long baseOffset, List<LogSegment> replaced, List<Integer> replacedSizes, int size) {
    public CleanedGroup {
        replaced = List.copyOf(replaced);
        replacedSizes = List.copyOf(replacedSizes);
    }
}
