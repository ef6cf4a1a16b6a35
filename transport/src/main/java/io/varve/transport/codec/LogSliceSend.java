package io.varve.transport.codec;

import io.varve.storage.log.LogSlice;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * Writes a {@link LogSliceRecords}: into {@link ResponseParts} as a file-range part (no file opened
 * here); into any other channel by opening the segment and calling {@code transferFrom} (used only
 * outside the Kafka listener, e.g. by tools, never on a network thread).
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
            parts.transferPath(slice.file(), position, remaining);
            return remaining;
        }
        try (FileChannel file = FileChannel.open(slice.file(), StandardOpenOption.READ)) {
            return (int) channel.transferFrom(file, position, remaining);
        }
    }
}
