package io.varve.transport.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    /** A budget that grants up to {@code limit} bytes and counts what it handed out. */
    private static final class Budget implements FrameDecoder.Memory {
        private final long limit;
        long reserved;
        long overdrawn;

        Budget(long limit) {
            this.limit = limit;
        }

        @Override
        public boolean tryReserve(int bytes) {
            if (reserved + bytes > limit) {
                return false;
            }
            reserved += bytes;
            return true;
        }

        @Override
        public void overdraw(int bytes) {
            reserved += bytes;
            overdrawn += bytes;
        }
    }

    @Test
    void reassemblesFramesAcrossArbitraryChunks() {
        byte[] stream = concat(frame("hello"), frame(""), frame("kafka"));
        for (int chunk = 1; chunk <= stream.length; chunk++) {
            FrameDecoder decoder = new FrameDecoder(100, new Budget(1000));
            List<String> frames = new ArrayList<>();
            for (int offset = 0; offset < stream.length; offset += chunk) {
                int length = Math.min(chunk, stream.length - offset);
                FrameDecoder.Frames out = decoder.feed(ByteBuffer.wrap(stream, offset, length));
                assertThat(out.hasError()).isFalse();
                out.frames()
                        .forEach(frame -> frames.add(
                                StandardCharsets.UTF_8.decode(frame.buffer()).toString()));
            }
            assertThat(frames).as("chunks of %d bytes", chunk).containsExactly("hello", "", "kafka");
        }
    }

    @Test
    void readsThatFollowTheReadLimitNeverTakeMoreThanOneFrameAndTheNextSize() {
        byte[] stream = concat(frame("one"), frame("two"), frame("three"));
        FrameDecoder decoder = new FrameDecoder(100, new Budget(1000));
        List<String> frames = new ArrayList<>();
        int offset = 0;
        while (offset < stream.length) {
            int limit = Math.min(decoder.readLimit(), stream.length - offset);
            List<FrameDecoder.Frame> out =
                    decoder.feed(ByteBuffer.wrap(stream, offset, limit)).frames();
            assertThat(out).hasSizeLessThanOrEqualTo(1);
            out.forEach(frame ->
                    frames.add(StandardCharsets.UTF_8.decode(frame.buffer()).toString()));
            offset += limit;
        }
        assertThat(frames).containsExactly("one", "two", "three");
        // reading "one" took its 3 bytes and the 4-byte size of "two": the decoder pauses before its body
        FrameDecoder paused = new FrameDecoder(100, new Budget(1000));
        paused.feed(ByteBuffer.wrap(stream, 0, 4));
        assertThat(paused.readLimit()).isEqualTo(3 + 4);
        paused.feed(ByteBuffer.wrap(stream, 4, 7));
        assertThat(paused.isBetweenFrames()).isTrue();
        assertThat(paused.needsMemory()).isTrue();
    }

    @Test
    void givesEachFrameItsOwnBufferAndReportsItsReservation() {
        Budget budget = new Budget(1000);
        FrameDecoder decoder = new FrameDecoder(100, budget);

        List<FrameDecoder.Frame> frames =
                decoder.feed(ByteBuffer.wrap(concat(frame("ab"), frame("cd")))).frames();

        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).buffer().array())
                .isNotSameAs(frames.get(1).buffer().array());
        assertThat(frames.get(0).buffer().array()).containsExactly('a', 'b');
        assertThat(frames.get(0).reservedBytes()).isEqualTo(2);
        assertThat(budget.reserved).isEqualTo(4);
    }

    @Test
    void aLargeFrameHoldsOnlyWhatArrivedAndDoubles() {
        Budget budget = new Budget(Long.MAX_VALUE);
        FrameDecoder decoder = new FrameDecoder(100 * 1024 * 1024, budget);
        decoder.feed(ByteBuffer.allocate(4).putInt(100 * 1024 * 1024).flip());
        assertThat(budget.reserved).as("an announcement costs nothing").isZero();

        decoder.feed(ByteBuffer.wrap(new byte[10]));
        assertThat(decoder.reservedBytes()).isEqualTo(10);
        decoder.feed(ByteBuffer.wrap(new byte[FrameDecoder.CHUNK_BYTES]));
        assertThat(decoder.reservedBytes()).isEqualTo(10 + FrameDecoder.CHUNK_BYTES);
        decoder.feed(ByteBuffer.wrap(new byte[1]));
        assertThat(decoder.reservedBytes()).as("doubles").isEqualTo(2 * (10 + FrameDecoder.CHUNK_BYTES));
        assertThat(budget.reserved).isEqualTo(decoder.reservedBytes());
    }

    @Test
    void bytesThatArrivedAreTakenPastAnEmptyBudget() {
        Budget budget = new Budget(5);
        FrameDecoder decoder = new FrameDecoder(100_000, budget);
        byte[] announced = ByteBuffer.allocate(4).putInt(90_000).array();

        decoder.feed(ByteBuffer.wrap(concat(announced, new byte[20])));

        assertThat(decoder.reservedBytes()).isEqualTo(20);
        assertThat(budget.overdrawn).isEqualTo(20);
        assertThat(decoder.needsMemory()).isTrue();
    }

    @Test
    void rejectsFrameLargerThanLimitAfterEarlierFrames() {
        FrameDecoder decoder = new FrameDecoder(10, new Budget(1000));
        byte[] oversized = ByteBuffer.allocate(4).putInt(11).array();

        FrameDecoder.Frames out = decoder.feed(ByteBuffer.wrap(concat(frame("ok"), oversized)));

        assertThat(out.frames()).hasSize(1);
        assertThat(out.error()).isEqualTo("frame size 11 larger than socket.request.max.bytes 10");
        assertThat(decoder.feed(ByteBuffer.wrap(frame("x"))).hasError()).isTrue();
    }

    @Test
    void rejectsNegativeSize() {
        FrameDecoder.Frames out = new FrameDecoder(10, new Budget(1000))
                .feed(ByteBuffer.wrap(ByteBuffer.allocate(4).putInt(-1).array()));

        assertThat(out.error()).isEqualTo("invalid frame size -1 (negative)");
    }

    private static byte[] frame(String payload) {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + bytes.length)
                .putInt(bytes.length)
                .put(bytes)
                .array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer all =
                ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] part : parts) {
            all.put(part);
        }
        return all.array();
    }
}
