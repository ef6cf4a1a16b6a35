package io.varve.transport.codec;

import io.varve.storage.log.LogSlice;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

/**
 * The record section of a Fetch response partition as a range of a segment file, never read into
 * the heap. kafka-clients' encoder ({@code SendBuilder}) asks it for a {@link RecordsSend}; written
 * into {@link ResponseParts} that send becomes a {@link ResponseParts.FileRegion}, which the
 * connection transfers with {@code sendfile} on {@code varve.sendfile-dispatcher}.
 *
 * <p>Immutable. The slice holds its segment file open and retained (see {@code SharedFile}): the
 * connection releases it once the section is sent; an answer that is dropped instead is released
 * with {@link #release(ApiMessage)}.
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

    /** Releases the files held by the record sections of {@code body}, an answer that will not be sent. */
    public static void release(ApiMessage body) {
        if (body instanceof FetchResponseData fetch) {
            for (FetchResponseData.FetchableTopicResponse topic : fetch.responses()) {
                for (FetchResponseData.PartitionData partition : topic.partitions()) {
                    if (partition.records() instanceof LogSliceRecords records) {
                        records.slice().release();
                    }
                }
            }
        }
    }

    @Override
    public String toString() {
        return "LogSliceRecords(" + slice.file() + " @" + slice.position() + " +" + slice.length() + ")";
    }
}
