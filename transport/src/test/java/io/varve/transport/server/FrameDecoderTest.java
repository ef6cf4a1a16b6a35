package io.varve.transport.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    @Test
    void reassemblesFramesAcrossArbitraryChunks() {
        byte[] stream = concat(frame("hello"), frame(""), frame("kafka"));
        for (int chunk = 1; chunk <= stream.length; chunk++) {
            FrameDecoder decoder = new FrameDecoder(100);
            List<String> frames = new ArrayList<>();
            for (int offset = 0; offset < stream.length; offset += chunk) {
                int length = Math.min(chunk, stream.length - offset);
                FrameDecoder.Frames out = decoder.feed(ByteBuffer.wrap(stream, offset, length));
                assertThat(out.hasError()).isFalse();
                out.frames()
                        .forEach(frame ->
                                frames.add(StandardCharsets.UTF_8.decode(frame).toString()));
            }
            assertThat(frames).as("chunks of %d bytes", chunk).containsExactly("hello", "", "kafka");
        }
    }

    @Test
    void givesEachFrameItsOwnBuffer() {
        FrameDecoder decoder = new FrameDecoder(100);

        List<ByteBuffer> frames =
                decoder.feed(ByteBuffer.wrap(concat(frame("ab"), frame("cd")))).frames();

        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).array()).isNotSameAs(frames.get(1).array());
        assertThat(frames.get(0).array()).containsExactly('a', 'b');
    }

    @Test
    void rejectsFrameLargerThanLimitAfterEarlierFrames() {
        FrameDecoder decoder = new FrameDecoder(10);
        byte[] oversized = ByteBuffer.allocate(4).putInt(11).array();

        FrameDecoder.Frames out = decoder.feed(ByteBuffer.wrap(concat(frame("ok"), oversized)));

        assertThat(out.frames()).hasSize(1);
        assertThat(out.error()).isEqualTo("frame size 11 larger than socket.request.max.bytes 10");
        assertThat(decoder.feed(ByteBuffer.wrap(frame("x"))).hasError()).isTrue();
    }

    @Test
    void rejectsNegativeSize() {
        FrameDecoder.Frames out = new FrameDecoder(10)
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
        ByteBuffer all = ByteBuffer.allocate(
                java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] part : parts) {
            all.put(part);
        }
        return all.array();
    }
}
