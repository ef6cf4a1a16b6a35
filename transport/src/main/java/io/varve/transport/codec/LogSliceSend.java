package io.varve.transport.codec;

import io.varve.storage.log.LogSlice;
import java.io.IOException;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * Writes a {@link LogSliceRecords}: into {@link ResponseParts} as a file region carrying the slice's
 * retained file (nothing is read here); into any other channel with {@code transferFrom} from that
 * file (used only outside the Kafka listener, e.g. by tools, never on a network thread).
 */
final class LogSliceSend extends RecordsSend<LogSliceRecords> {

    LogSliceSend(LogSliceRecords records) {
        super(records, records.sizeInBytes());
    }

    @Override
    protected int writeTo(TransferableChannel channel, int previouslyWritten, int remaining) throws IOException {
        LogSlice slice = records().slice();
        long position = (long) slice.position() + previouslyWritten;
        if (channel instanceof ResponseParts parts) {
            parts.transferFile(slice.file(), position, remaining);
            return remaining;
        }
        return (int) channel.transferFrom(slice.file().channel(), position, remaining);
    }
}
