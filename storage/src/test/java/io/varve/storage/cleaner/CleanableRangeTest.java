package io.varve.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which part of a log is dirty and cleanable, and how dirty, as Kafka's cleaner manager computes it. */
class CleanableRangeTest {
    @TempDir
    Path root;

    @Test
    void theDirtyPartStartsAtTheCheckpointAndStopsAtTheActiveSegment() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        c.put("a=1", "b=1"); // [0, 2)
        c.roll();
        c.put("a=2"); // [2, 3)
        c.roll();
        c.put("c=1"); // active from 3
        long first = c.log.segments().get(0).size();
        long second = c.log.segments().get(1).size();

        CleanableRange fromStart = c.range(CleanableRange.NO_CHECKPOINT);
        assertThat(fromStart.firstDirtyOffset()).isZero();
        assertThat(fromStart.firstUncleanableOffset()).isEqualTo(3);
        assertThat(fromStart.cleanBytes()).isZero();
        assertThat(fromStart.cleanableBytes()).isEqualTo(first + second);
        assertThat(fromStart.cleanableRatio()).isEqualTo(1.0);

        CleanableRange afterOne = c.range(2);
        assertThat(afterOne.cleanBytes()).isEqualTo(first);
        assertThat(afterOne.cleanableBytes()).isEqualTo(second);
        assertThat(afterOne.isCleanable(0.5)).isEqualTo((double) second / (first + second) > 0.5);
        assertThat(afterOne.checkpointReset()).isFalse();
    }

    @Test
    void theHighWatermarkBoundsTheDirtyPart() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        c.put("a=1");
        c.roll();
        c.put("a=2");
        c.roll();
        c.put("a=3");

        CleanableRange range = CleanableRange.of(c.log, CleanableRange.NO_CHECKPOINT, 1, c.clock.millis());

        assertThat(range.firstUncleanableOffset()).isEqualTo(1);
    }

    @Test
    void aCheckpointPastTheLogEndIsResetToTheLogStart() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        c.put("a=1");
        c.roll();
        c.put("a=2");

        CleanableRange range = c.range(99);

        assertThat(range.firstDirtyOffset()).isZero();
        assertThat(range.checkpointReset()).isTrue();
    }

    @Test
    void aTruncationBelowTheCheckpointMakesWhatGrewBackDirtyAgain() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        c.put("a=1", "b=1"); // [0, 2)
        c.roll();
        c.put("x=1", "y=1"); // [2, 4)
        c.roll();
        c.put("z=1"); // active from 4
        long checkpoint =
                c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT).endOffset();
        assertThat(checkpoint).isEqualTo(4);

        c.log.truncateTo(2); // a follower truncated to its new leader's lineage
        c.put("a=2", "b=2"); // [2, 4) as the new leader wrote them
        c.roll();
        c.put("z=2"); // active from 4

        CleanableRange range = c.range(checkpoint);
        assertThat(range.firstDirtyOffset()).isEqualTo(2);
        assertThat(range.checkpointReset())
                .as("the cleaner writes the moved checkpoint")
                .isTrue();
        c.clean(CompactedLog.cleaner(), range.firstDirtyOffset());
        assertThat(c.records()).containsExactly("2:a=2", "3:b=2", "4:z=2");
        CleanableRange next = c.range(4);
        assertThat(next.firstDirtyOffset())
                .as("once the cleaner's checkpoint reached the truncation, it moves on")
                .isEqualTo(4);
        assertThat(next.checkpointReset()).isFalse();
    }

    @Test
    void aTruncationAboveTheCheckpointChangesNothing() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        c.put("a=1");
        c.roll();
        c.put("a=2", "b=2");
        c.roll();
        c.put("c=1");
        c.log.truncateTo(2); // [2, 4) goes, the checkpoint (1) stays below

        CleanableRange range = c.range(1);

        assertThat(range.firstDirtyOffset()).isEqualTo(1);
        assertThat(range.checkpointReset()).isFalse();
    }

    @Test
    void anEmptyLogIsNeverCleanable() throws Exception {
        CompactedLog c = new CompactedLog(root).open();

        assertThat(c.range(CleanableRange.NO_CHECKPOINT).isCleanable(0.0)).isFalse();
    }
}
