package io.varve.transport.codec;

import io.varve.storage.log.LogSlice;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * Writes a {@link LogSliceRecords}: into a {@link TcpWriteChannel} as a file-range part (no file
 * opened here); into any other channel by opening the segment and calling {@code transferFrom}
 * (used only outside the TCP server, e.g. by tools, never on a connection's thread).
 */
final class LogSliceSend extends RecordsSend<LogSliceRecords> {

    LogSliceSend(LogSliceRecords records) {
        super(records, records.sizeInBytes());
    }

    @Override
    protected int writeTo(TransferableChannel channel, int previouslyWritten, int remaining) throws IOException {
        LogSlice slice = records().slice();
        long position = (long) slice.position() + previouslyWritten;
        if (channel instanceof TcpWriteChannel tcp) {
            tcp.transferPath(slice.file(), position, remaining);
            return remaining;
        }
        try (FileChannel file = FileChannel.open(slice.file(), StandardOpenOption.READ)) {
            return (int) channel.transferFrom(file, position, remaining);
        }
    }
}
