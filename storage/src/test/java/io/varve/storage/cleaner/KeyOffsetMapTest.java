package io.varve.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeyOffsetMapTest {
    private static ByteBuffer key(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsTheLatestOffsetOfEachKey() {
        KeyOffsetMap map = new KeyOffsetMap(0.9);
        map.reset(100);
        map.put(key("a"), 0);
        map.put(key("b"), 1);
        map.put(key("a"), 5);

        assertThat(map.get(key("a"))).isEqualTo(5);
        assertThat(map.get(key("b"))).isEqualTo(1);
        assertThat(map.get(key("c"))).isEqualTo(-1);
        assertThat(map.size()).isEqualTo(2);
        assertThat(map.latestOffset()).isEqualTo(5);
    }

    @Test
    void offsetZeroIsAnOffsetNotAnEmptySlot() {
        KeyOffsetMap map = new KeyOffsetMap(0.9);
        map.reset(10);
        map.put(key("a"), 0);

        assertThat(map.get(key("a"))).isZero();
    }

    @Test
    void isFullAtItsLoadFactorAndEveryKeyStaysFindableThroughCollisions() {
        KeyOffsetMap map = new KeyOffsetMap(0.75);
        map.reset(16);
        for (int i = 0; i < 12; i++) {
            assertThat(map.isFull()).isFalse();
            map.put(key("key-" + i), 100 + i);
        }
        assertThat(map.isFull()).isTrue();
        for (int i = 0; i < 12; i++) {
            assertThat(map.get(key("key-" + i))).isEqualTo(100 + i);
        }
        assertThat(map.utilization()).isEqualTo(0.75);
    }

    @Test
    void growsFromItsInitialSlotsUpToItsMaximumKeepingEveryKey() {
        KeyOffsetMap map = new KeyOffsetMap(0.9);
        int maxSlots = KeyOffsetMap.INITIAL_SLOTS * 5;
        map.reset(maxSlots);
        assertThat(map.slots()).isEqualTo(KeyOffsetMap.INITIAL_SLOTS);

        int keys = map.maxEntries();
        for (int i = 0; i < keys; i++) {
            assertThat(map.isFull()).isFalse();
            map.put(key("key-" + i), i);
        }
        map.put(key("key-7"), keys + 7); // an update, no new slot

        assertThat(map.isFull()).isTrue();
        assertThat(map.size()).isEqualTo(keys);
        assertThat(map.slots()).isEqualTo(maxSlots); // 16384 -> 32768 -> 65536 -> 81920, no further
        assertThat(map.utilization()).isEqualTo((double) keys / maxSlots);
        for (int i = 0; i < keys; i++) {
            assertThat(map.get(key("key-" + i))).isEqualTo(i == 7 ? keys + 7 : i);
        }
        assertThat(map.get(key("key-" + keys))).isEqualTo(-1);
    }

    @Test
    void aMapWithFewKeysStaysSmall() {
        KeyOffsetMap map = new KeyOffsetMap(0.9);
        map.reset(KeyOffsetMap.INITIAL_SLOTS * 64);
        for (int i = 0; i < KeyOffsetMap.INITIAL_SLOTS; i++) {
            map.put(key("k" + (i % 100)), i);
        }

        assertThat(map.slots()).isEqualTo(KeyOffsetMap.INITIAL_SLOTS);
        assertThat(map.size()).isEqualTo(100);
        assertThat(map.get(key("k99"))).isEqualTo(16_299); // the last i below 16384 with i % 100 == 99
    }

    @Test
    void resetAfterGrowingStartsSmallAndEmpty() {
        KeyOffsetMap map = new KeyOffsetMap(0.9);
        map.reset(KeyOffsetMap.INITIAL_SLOTS * 4);
        for (int i = 0; i < KeyOffsetMap.INITIAL_SLOTS; i++) {
            map.put(key("key-" + i), i);
        }
        assertThat(map.slots()).isEqualTo(KeyOffsetMap.INITIAL_SLOTS * 2);

        map.reset(KeyOffsetMap.INITIAL_SLOTS * 4);

        assertThat(map.slots()).isEqualTo(KeyOffsetMap.INITIAL_SLOTS);
        assertThat(map.size()).isZero();
        assertThat(map.get(key("key-1"))).isEqualTo(-1);
    }

    @Test
    void resetEmptiesTheMap() {
        KeyOffsetMap map = new KeyOffsetMap(0.9);
        map.reset(10);
        map.put(key("a"), 3);
        map.reset(10);

        assertThat(map.get(key("a"))).isEqualTo(-1);
        assertThat(map.size()).isZero();
        assertThat(map.latestOffset()).isEqualTo(-1);
    }

    @Test
    void readsTheKeyFromItsPositionWithoutMovingIt() {
        KeyOffsetMap map = new KeyOffsetMap(0.9);
        map.reset(10);
        ByteBuffer buffer = ByteBuffer.wrap("xxabc".getBytes(StandardCharsets.UTF_8));
        buffer.position(2);
        map.put(buffer, 7);

        assertThat(buffer.position()).isEqualTo(2);
        assertThat(map.get(key("abc"))).isEqualTo(7);
    }

    @Test
    void aBufferTooSmallForOneKeyIsRefused() {
        assertThatThrownBy(() -> new Cleaner(KeyOffsetMap.BYTES_PER_ENTRY, 0.9, 1024, 1024, new CleanerThrottler(1e9)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot hold a single key");
    }
}
