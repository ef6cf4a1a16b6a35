package io.varve.txn.pid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProducerIdBlocksTest {
    @Test
    void handsOutTheCurrentBlockThenThePrefetchedOne() {
        ProducerIdBlocks blocks = new ProducerIdBlocks();
        assertThat(blocks.shouldFetch()).isTrue();
        assertThat(blocks.nextId()).isEmpty();
        assertThat(blocks.add(100, 2)).isNull();
        assertThat(blocks.add(200, 2)).isNull();

        assertThat(blocks.nextId()).hasValue(100);
        assertThat(blocks.nextId()).hasValue(101);
        assertThat(blocks.nextId()).hasValue(200);
        assertThat(blocks.nextId()).hasValue(201);
        assertThat(blocks.nextId()).isEmpty();
    }

    @Test
    void asksForTheNextBlockAtTenPercentLeft() {
        ProducerIdBlocks blocks = new ProducerIdBlocks();
        blocks.add(0, 20);
        for (int i = 0; i < 17; i++) {
            blocks.nextId();
        }
        assertThat(blocks.remaining()).isEqualTo(3);
        assertThat(blocks.shouldFetch()).isFalse();
        blocks.nextId();
        assertThat(blocks.shouldFetch()).isTrue();
        blocks.add(20, 20);
        assertThat(blocks.shouldFetch()).isFalse();
    }

    @Test
    void refusesOverlappingEmptyAndSurplusBlocks() {
        ProducerIdBlocks blocks = new ProducerIdBlocks();
        blocks.add(100, 10);
        assertThat(blocks.add(105, 10)).contains("overlaps ids already accepted below 110");
        assertThat(blocks.add(50, 10)).contains("overlaps");
        assertThat(blocks.add(200, 0)).contains("empty");
        assertThat(blocks.add(110, 10)).isNull();
        assertThat(blocks.add(120, 10)).contains("already waiting at 110");
    }
}
