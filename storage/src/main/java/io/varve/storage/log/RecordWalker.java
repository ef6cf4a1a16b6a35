package io.varve.storage.log;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Reads every record of one v2 batch and checks it as Kafka's log validator does, and more strictly
 * where Kafka would store what consumers cannot read:
 *
 * <pre>
 *   record: | length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
 *           | keyLength varint | key | valueLength varint | value | headerCount varint |
 *           | headers: ( keyLength varint | key | valueLength varint | value )* |
 * </pre>
 *
 * Structure (rejected at the first bad record, {@code INVALID_RECORD} with that record's index):
 * lengths that fit the record and the batch, well-formed varints, offset deltas 0, 1, 2, … in
 * order, key and value lengths of at least -1, header keys of at least 0, exactly the declared
 * number of records and no bytes after the last. Then per record, all collected: a key on compacted
 * topics ({@code INVALID_RECORD}) and the timestamp bounds for {@code CreateTime} topics ({@code
 * INVALID_TIMESTAMP}, which wins when both occur, as in Kafka). Nothing is allocated per valid record.
 * Stateless; one walk per call.
 */
final class RecordWalker {
    /** attributes, and one byte each for timestamp delta, offset delta, key and value lengths, header count. */
    private static final int MIN_BODY_BYTES = 6;
    /** Record errors quoted in the rejection's message (all are in its record errors). */
    private static final int QUOTED_ERRORS = 3;

    private RecordWalker() {}

    /** What a batch's records must satisfy, and what the batch header says about them. */
    record Rules(
            int count,
            long baseTimestamp,
            long headerMaxTimestamp,
            boolean logAppendTimeBatch,
            TimestampType topicTimestampType,
            long lowestTimestamp,
            long highestTimestamp,
            boolean compacted) {}

    /** The walk's result: the largest record timestamp, or why the batch is rejected. */
    record Outcome(long maxTimestamp, AppendResult.Rejected rejected) {}

    static Outcome walk(RecordInput input, Rules rules, String logName) {
        List<RecordError> errors = new ArrayList<>(0);
        boolean timestampError = false;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        Fields fields = new Fields();
        for (int index = 0; index < rules.count(); index++) {
            long timestamp;
            boolean hasKey;
            try {
                readRecord(input, index, rules.count(), fields);
                timestamp = rules.logAppendTimeBatch()
                        ? rules.headerMaxTimestamp()
                        : rules.baseTimestamp() + fields.timestampDelta;
                hasKey = fields.keyLength >= 0;
            } catch (RecordInput.MalformedRecordException e) {
                return structural(index, e.getMessage(), logName);
            }
            maxTimestamp = Math.max(maxTimestamp, timestamp);
            if (rules.compacted() && !hasKey) {
                // Kafka's own wording: clients (and librdkafka's test 0011) show it as the record's error
                errors.add(new RecordError(
                        index,
                        "Compacted topic cannot accept message without key in topic partition " + logName + "."));
            } else {
                String timestampProblem = timestampProblem(rules, timestamp, index);
                if (timestampProblem != null) {
                    errors.add(new RecordError(index, timestampProblem));
                    timestampError = true;
                }
            }
        }
        if (input.hasRemaining()) {
            return structural(
                    rules.count() - 1,
                    "bytes follow the last of the batch's " + rules.count() + " declared records",
                    logName);
        }
        if (!errors.isEmpty()) {
            return new Outcome(maxTimestamp, recordErrors(errors, timestampError, logName));
        }
        return new Outcome(maxTimestamp, null);
    }

    /** The fields of the record just read that the checks need; reused across records. */
    private static final class Fields {
        long timestampDelta;
        int keyLength;
    }

    /** Reads one record, leaving its timestamp delta and key length in {@code fields}. */
    private static void readRecord(RecordInput input, int index, int count, Fields fields) {
        int bodyBytes = input.readVarint();
        if (bodyBytes < MIN_BODY_BYTES) {
            throw new RecordInput.MalformedRecordException(
                    "declared record length " + bodyBytes + " is below the minimum of " + MIN_BODY_BYTES);
        }
        long recordsLeft = count - index - 1L;
        if (bodyBytes > input.knownRemaining() - recordsLeft * (MIN_BODY_BYTES + 1)) {
            throw new RecordInput.MalformedRecordException("declared record length " + bodyBytes
                    + " does not fit the " + input.knownRemaining() + " bytes left for " + (recordsLeft + 1)
                    + " record(s)");
        }
        long start = input.position();
        input.readByte(); // attributes: unused in v2, ignored as Kafka does
        long timestampDelta = input.readVarlong();
        int offsetDelta = input.readVarint();
        if (offsetDelta != index) {
            throw new RecordInput.MalformedRecordException(
                    "offset delta " + offsetDelta + " where " + index + " is expected");
        }
        int keyLength = input.readVarint();
        skipField(input, "key", keyLength, -1, start, bodyBytes);
        int valueLength = input.readVarint();
        skipField(input, "value", valueLength, -1, start, bodyBytes);
        int headers = input.readVarint();
        if (headers < 0 || headers > bodyBytes) {
            throw new RecordInput.MalformedRecordException(
                    "header count " + headers + " is invalid for a record of " + bodyBytes + " bytes");
        }
        for (int h = 0; h < headers; h++) {
            skipField(input, "header key", input.readVarint(), 0, start, bodyBytes);
            skipField(input, "header value", input.readVarint(), -1, start, bodyBytes);
        }
        long read = input.position() - start;
        if (read != bodyBytes) {
            throw new RecordInput.MalformedRecordException(
                    "declared record length " + bodyBytes + " but its fields take " + read + " bytes");
        }
        fields.timestampDelta = timestampDelta;
        fields.keyLength = keyLength;
    }

    private static void skipField(RecordInput input, String name, int length, int minimum, long start, int bodyBytes) {
        if (length < minimum) {
            throw new RecordInput.MalformedRecordException(name + " length " + length + " is below " + minimum);
        }
        long left = bodyBytes - (input.position() - start);
        if (length > left) {
            throw new RecordInput.MalformedRecordException(
                    name + " length " + length + " runs past the record's end (" + left + " bytes left)");
        }
        input.skip(length);
    }

    /** Kafka: a CreateTime topic bounds every stamped record; a producer may not claim LogAppendTime. */
    private static String timestampProblem(Rules rules, long timestamp, int index) {
        if (rules.topicTimestampType() == TimestampType.CREATE_TIME && timestamp != RecordBatch.NO_TIMESTAMP) {
            if (timestamp < rules.lowestTimestamp() || timestamp > rules.highestTimestamp()) {
                return "timestamp " + timestamp + " of record " + index + " is out of range: it must be within ["
                        + rules.lowestTimestamp() + ", " + rules.highestTimestamp() + "]";
            }
        } else if (rules.logAppendTimeBatch()) {
            return "record " + index + " claims LogAppendTime: a producer may not set that timestamp type";
        }
        return null;
    }

    private static Outcome structural(int index, String problem, String logName) {
        String message = "record " + index + " of the batch is malformed: " + problem + ", in " + logName;
        return new Outcome(
                RecordBatch.NO_TIMESTAMP,
                new AppendResult.Rejected(Errors.INVALID_RECORD, message, List.of(new RecordError(index, problem))));
    }

    private static AppendResult.Rejected recordErrors(
            List<RecordError> errors, boolean timestampError, String logName) {
        String quoted = errors.subList(0, Math.min(QUOTED_ERRORS, errors.size())).stream()
                .map(e -> e.batchIndex() + ": " + e.message())
                .toList()
                .toString();
        String message = "One or more records have been rejected due to " + errors.size()
                + " record errors in total, and only showing the first " + QUOTED_ERRORS + " errors at most, in "
                + logName + ": " + quoted;
        return new AppendResult.Rejected(
                timestampError ? Errors.INVALID_TIMESTAMP : Errors.INVALID_RECORD, message, errors);
    }
}
