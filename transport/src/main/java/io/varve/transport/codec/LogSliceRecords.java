package io.varve.transport.codec;

import io.varve.storage.log.LogSlice;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * The record section of a Fetch response partition as a range of a segment file, never read into
 * the heap. kafka-clients' encoder ({@code SendBuilder}) asks it for a {@link RecordsSend}; written
 * into {@link ResponseParts} that send becomes a {@link ResponseParts.FileRegion}, which the
 * connection transfers with {@code sendfile} on {@code varve.sendfile-dispatcher}.
 *
 * <p>Immutable; the file is opened at transfer time, not by the handler or the encoder.
 */
public final class LogSliceRecords implements BaseRecords {
    private final LogSlice slice;

    public LogSliceRecords(LogSlice slice) {
        this.slice = slice;
    }

    public LogSlice slice() {
        return slice;
    }

    @Override
    public int sizeInBytes() {
        return slice.length();
    }

    @Override
    public RecordsSend<LogSliceRecords> toSend() {
        return new LogSliceSend(this);
    }

    @Override
    public String toString() {
        return "LogSliceRecords(" + slice.file() + " @" + slice.position() + " +" + slice.length() + ")";
    }
}
