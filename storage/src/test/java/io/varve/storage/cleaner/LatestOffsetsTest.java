package io.varve.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The map pass's latest-offset bits against a plain map of key to latest offset. */
class LatestOffsetsTest {
    @Test
    void aPutSetsItsOffsetAndClearsTheOneItReplaces() {
        LatestOffsets latest = new LatestOffsets();
        latest.reset(100, 50, Long.MAX_VALUE);

        latest.onPut(100, -1);
        latest.onPut(101, -1);
        latest.onPut(130, 100);

        assertThat(latest.isLatest(100)).isFalse();
        assertThat(latest.isLatest(101)).isTrue();
        assertThat(latest.isLatest(130)).isTrue();
        assertThat(latest.covers(99)).isFalse();
        assertThat(latest.covers(149)).isTrue();
        assertThat(latest.covers(150)).isFalse();
        assertThat(latest.anyLatestIn(102, 129)).isFalse();
        assertThat(latest.anyLatestIn(100, 100)).isFalse();
        assertThat(latest.anyLatestIn(129, 130)).isTrue();
    }

    @Test
    void coversNoMoreThanItsMemoryAllowsAndForgetsTheLastCleaning() {
        LatestOffsets latest = new LatestOffsets();
        latest.reset(0, 1000, 1000);
        latest.onPut(5, -1);
        latest.onPut(999, -1);

        latest.reset(10, 1_000_000, 64);

        assertThat(latest.covers(10)).isTrue();
        assertThat(latest.covers(73)).isTrue();
        assertThat(latest.covers(74)).isFalse();
        assertThat(latest.anyLatestIn(10, 73)).isFalse();
        latest.onPut(80, 12); // 80 is past the cover: only the replaced bit changes
        assertThat(latest.anyLatestIn(10, 73)).isFalse();
    }

    @Test
    void agreesWithAMapOfLatestOffsetsOverManyWords() {
        Random random = new Random(15);
        long first = 1_000;
        int span = 5_000;
        LatestOffsets latest = new LatestOffsets();
        latest.reset(first, span, Long.MAX_VALUE);
        Map<Integer, Long> latestByKey = new HashMap<>();
        for (long offset = first; offset < first + span; offset++) {
            if (random.nextInt(10) == 0) {
                continue; // a keyless record or a gap: no put
            }
            int key = random.nextInt(300);
            Long previous = latestByKey.put(key, offset);
            latest.onPut(offset, previous == null ? -1 : previous);
        }
        BitSet expected = new BitSet();
        latestByKey.values().forEach(o -> expected.set((int) (o - first)));

        for (long offset = first; offset < first + span; offset++) {
            assertThat(latest.isLatest(offset)).as("offset %d", offset).isEqualTo(expected.get((int) (offset - first)));
        }
        for (int i = 0; i < 2_000; i++) {
            int from = random.nextInt(span);
            int to = Math.min(span - 1, from + random.nextInt(i % 2 == 0 ? 100 : 1_000));
            int next = expected.nextSetBit(from);
            assertThat(latest.anyLatestIn(first + from, first + to))
                    .as("[%d, %d]", from, to)
                    .isEqualTo(next >= 0 && next <= to);
        }
    }
}
