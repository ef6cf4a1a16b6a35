package io.varve.connectors.internal;

import io.varve.connectors.stream.OffsetReset;
import io.varve.connectors.stream.SourceSettings;
import io.varve.connectors.stream.StartOffset;
import io.varve.metadata.Ask;
import io.varve.partition.PartitionActor;
import io.varve.storage.log.LogSlice;
import io.varve.storage.log.RetainedFile;
import io.varve.transport.api.BrokerServices;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageLogic.StageActor;
import org.apache.pekko.stream.stage.OutHandler;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import scala.Tuple2;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/**
 * The in-process source of one partition: reads the partition actor the Kafka listener's fetches
 * use ({@link PartitionActor.Read} up to the high watermark), decodes the batches of each read with
 * its {@link RecordDecoder} and emits the read's records on demand as one chunk (a {@code List}, in
 * offset order; the public sources flatten the chunks after merging partitions, so the merge and
 * this stage cost once per read, not once per record). Small reads come back as bytes;
 * larger ones as a retained range of a segment file, read (then released) on the storage dispatcher,
 * never on the stream's thread. An answer that arrives after the stage stopped (cancelled with a read
 * in flight) goes to dead letters, where {@link DroppedReads} releases its segment file.
 *
 * <p>Backpressure: one read is outstanding at most, and the next is sent only when the stage holds
 * no chunk: it reads one chunk ahead of the one downstream is consuming. Caught up, the stage parks an {@link PartitionActor.AwaitData}
 * long poll in the partition, which answers with the data as soon as the high watermark moves; a
 * long poll not answered within {@link #LONG_POLL_MS} is abandoned (the partition drops it) and
 * parked again, so the stage never depends on a dropped waiter. The stage watches the partition actor: a deleted topic, a moved partition or a stopping
 * node fails it with the reason ({@link PartitionRoutes}); a read unanswered for the timeout fails it
 * with a {@code TimeoutException}.
 */
public final class ReadStage<T> extends GraphStage<SourceShape<List<T>>> {
    private static final Object RENEW_LONG_POLL = "renew-long-poll";
    /** How long one parked long poll lasts before the stage parks a new one. */
    static final int LONG_POLL_MS = 5_000;

    /** The smallest bytes per record a chunk is sized for (a v2 record takes at least 7 bytes). */
    private static final int MIN_BYTES_PER_RECORD = 8;

    private static final long EARLIEST = -2L;
    private static final long LATEST = -1L;

    private enum Outstanding {
        NOTHING,
        LIST_OFFSETS,
        READ,
        FILE,
        AWAIT
    }

    private final Outlet<List<T>> out;
    private final SourceShape<List<T>> shape;
    private final BrokerServices services;
    private final TopicPartition tp;
    private final StartOffset start;
    private final SourceSettings<?, ?> settings;
    private final RecordDecoder<T> decoder;
    private final Executor fileReads;
    private final org.apache.pekko.actor.typed.ActorSystem<?> node;

    /**
     * @param node the node's ActorSystem (where the partition actors run)
     * @param decoder what each record becomes
     * @param fileReads where segment ranges are read (the node's storage dispatcher)
     */
    public ReadStage(
            org.apache.pekko.actor.typed.ActorSystem<?> node,
            BrokerServices services,
            TopicPartition tp,
            StartOffset start,
            SourceSettings<?, ?> settings,
            RecordDecoder<T> decoder,
            Executor fileReads) {
        this.node = node;
        this.services = services;
        this.tp = tp;
        this.start = start;
        this.settings = settings;
        this.decoder = decoder;
        this.fileReads = fileReads;
        this.out = Outlet.create("VarveRead(" + tp + ").out");
        this.shape = SourceShape.of(out);
    }

    @Override
    public SourceShape<List<T>> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
        return new Logic();
    }

    private record FileRead(ByteBuffer bytes, Throwable failure) {}

    /**
     * Reads a zero-copy slice's range from the retained segment file and gives the file back, on the
     * storage dispatcher. The retained descriptor stays readable even if retention deleted the segment.
     */
    private static ByteBuffer readAndRelease(LogSlice slice) {
        RetainedFile file = slice.file();
        try {
            ByteBuffer buffer = ByteBuffer.allocate(slice.length());
            while (buffer.hasRemaining()) {
                int read = file.channel().read(buffer, slice.position() + (long) buffer.position());
                if (read < 0) {
                    throw new IOException(
                            "segment " + file.path() + " ends before byte " + (slice.position() + slice.length()));
                }
            }
            return buffer.flip();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            slice.release();
        }
    }

    /** A partition's answer (or the ask's failure) to request number {@code request} of the stage. */
    private record Answer(int request, Object message, Throwable failure) {}

    @SuppressWarnings("unchecked")
    private static <T> org.apache.pekko.actor.typed.ActorRef<T> narrow(
            org.apache.pekko.actor.typed.ActorRef<Object> replyTo) {
        return (org.apache.pekko.actor.typed.ActorRef<T>) (org.apache.pekko.actor.typed.ActorRef<?>) replyTo;
    }

    /** Gives back the segment file of a read answer nobody will use. */
    private static void release(Object answer) {
        if (answer instanceof PartitionActor.ReadResponse read && read.slice() != null) {
            read.slice().release();
        }
    }

    private final class Logic extends TimerGraphStageLogic implements OutHandler {
        /** Decoded reads not pushed yet (at most one, as the next read waits until it is pushed). */
        private final ArrayDeque<List<T>> chunks = new ArrayDeque<>();

        private AtomicBoolean longPollAbandoned = new AtomicBoolean();
        private org.apache.pekko.actor.typed.ActorRef<PartitionActor.Command> partition;
        private ActorRef partitionClassic;
        private Scheduler scheduler;
        private Uuid topicId;
        private AsyncCallback<Answer> onAnswer;
        private AsyncCallback<FileRead> onFileRead;
        private Outstanding outstanding = Outstanding.NOTHING;
        private int request;
        private long nextOffset = -1L;
        /** The last read's bytes per decoded record, to size the next chunk. */
        private int bytesPerRecord = 128;

        Logic() {
            super(shape);
            setHandler(out, this);
        }

        @Override
        public void preStart() {
            StageActor self = getStageActor(this::onMessage);
            onAnswer = createAsyncCallback(this::onAnswer);
            onFileRead = createAsyncCallback(this::onFileRead);
            topicId = services.metadata()
                    .image()
                    .topic(tp.topic())
                    .map(t -> t.topicId())
                    .orElse(null);
            var actor = services.partitions().lookup(tp);
            if (actor.isEmpty()) {
                failStage(PartitionRoutes.unavailable(services, tp, null, "reading"));
                return;
            }
            partition = actor.get();
            partitionClassic = Adapter.toClassic(partition);
            // asks are answered through temporary refs of the partition's system: answers that come
            // too late go to that system's dead letters, where their segment files are released
            DroppedReads.watch(Adapter.toClassic(node));
            scheduler = Adapter.toTyped(materializer().system()).scheduler();
            self.watch(partitionClassic);
            if (start instanceof StartOffset.At at) {
                nextOffset = at.offset();
                maybeRead();
            } else {
                listOffsets(start instanceof StartOffset.Earliest ? EARLIEST : LATEST);
            }
        }

        private void listOffsets(long which) {
            nextOffset = -1L;
            send(
                    Outstanding.LIST_OFFSETS,
                    replyTo -> new PartitionActor.ListOffsets(which, false, -1, narrow(replyTo)),
                    settings.timeout());
        }

        /**
         * Asks the partition; the answer comes back through {@link #onAnswer} with its request number,
         * or, when this stage has stopped meanwhile, is released here (a read's segment file).
         */
        private void send(
                Outstanding what,
                Function<org.apache.pekko.actor.typed.ActorRef<Object>, PartitionActor.Command> command,
                Duration timeout) {
            outstanding = what;
            int number = ++request;
            // the feedback's Java view runs a plain whenComplete on CompletableFuture's default
            // executor, which on a 2-CPU machine starts a thread per call: once per read, 10% of a
            // consuming stream's thread (profile of 2026-12-05); inline instead (release never blocks)
            Ask.<PartitionActor.Command, Object>ask(partition, command::apply, timeout, scheduler)
                    .whenComplete((message, failure) -> FutureConverters.asJava(
                                    onAnswer.invokeWithFeedback(new Answer(number, message, failure)))
                            .whenCompleteAsync(
                                    (delivered, detached) -> {
                                        if (detached != null) {
                                            release(message);
                                        }
                                    },
                                    Ask.INLINE));
        }

        private Function<org.apache.pekko.actor.typed.ActorRef<Object>, PartitionActor.Read> read() {
            long offset = nextOffset;
            return replyTo ->
                    new PartitionActor.Read(offset, settings.maxBytesPerRead(), false, true, -1, narrow(replyTo));
        }

        private void maybeRead() {
            if (outstanding != Outstanding.NOTHING || nextOffset < 0) {
                return;
            }
            if (chunks.isEmpty()) {
                send(Outstanding.READ, read()::apply, settings.timeout());
            }
        }

        private BoxedUnit onMessage(Tuple2<ActorRef, Object> envelope) {
            if (envelope._2() instanceof Terminated terminated
                    && terminated.actor().equals(partitionClassic)) {
                failStage(PartitionRoutes.unavailable(services, tp, topicId, "reading"));
            }
            return BoxedUnit.UNIT;
        }

        private void onAnswer(Answer answer) {
            if (answer.request() != request) {
                // an abandoned long poll answered after all: the current one reads the same data
                release(answer.message());
                return;
            }
            if (answer.failure() != null) {
                onFailedAsk(answer.failure());
            } else if (answer.message() instanceof PartitionActor.ReadResponse read) {
                longPollAbandoned.set(true);
                onRead(read);
            } else if (answer.message() instanceof PartitionActor.ListOffsetsResponse list) {
                onListOffsets(list);
            }
        }

        private void onFailedAsk(Throwable failure) {
            if (outstanding == Outstanding.AWAIT) {
                // the partition dropped the long poll (it lasts LONG_POLL_MS): park another one
                awaitData();
            } else {
                failStage(new TimeoutException(
                        "no answer from " + tp + " within " + settings.timeout().toMillis() + " ms"));
            }
        }

        private void onListOffsets(PartitionActor.ListOffsetsResponse list) {
            outstanding = Outstanding.NOTHING;
            if (list.error() != Errors.NONE) {
                failStage(error(
                        list.error(),
                        "listing offsets of " + tp + " failed with " + list.error(),
                        "node " + services.nodeId() + " answered that it does not lead " + tp));
                return;
            }
            nextOffset = list.offset();
            maybeRead();
        }

        private void onRead(PartitionActor.ReadResponse read) {
            outstanding = Outstanding.NOTHING;
            if (read.error() == Errors.OFFSET_OUT_OF_RANGE) {
                onOutOfRange(read);
            } else if (read.error() != Errors.NONE) {
                failStage(error(
                        read.error(),
                        "reading " + tp + " at offset " + nextOffset + " failed with " + read.error(),
                        read.message()));
            } else if (read.slice().isEmpty()) {
                awaitData();
            } else if (read.slice().hasBytes()) {
                onBytes(read.slice().bytes());
            } else {
                readFile(read.slice());
            }
        }

        /** Parks a long poll that answers with the read once data past {@code nextOffset} is there. */
        private void awaitData() {
            AtomicBoolean abandoned = new AtomicBoolean();
            longPollAbandoned = abandoned;
            long awaitOffset = nextOffset;
            var read = read();
            send(
                    Outstanding.AWAIT,
                    replyTo -> new PartitionActor.AwaitData(
                            read.apply(replyTo), awaitOffset, LONG_POLL_MS, abandoned::get),
                    Duration.ofMillis(LONG_POLL_MS).plus(settings.timeout()));
            scheduleOnce(RENEW_LONG_POLL, Duration.ofMillis(LONG_POLL_MS));
        }

        private void onOutOfRange(PartitionActor.ReadResponse read) {
            String facts = "offset " + nextOffset + " of " + tp + " is outside the log [log start offset "
                    + read.logStartOffset() + ", high watermark " + read.highWatermark() + "]";
            OffsetReset reset = settings.autoOffsetReset();
            if (reset == OffsetReset.NONE) {
                failStage(new OffsetOutOfRangeException(
                        facts + " and auto offset reset is none", Map.of(tp, nextOffset)));
            } else {
                listOffsets(reset == OffsetReset.EARLIEST ? EARLIEST : LATEST);
            }
        }

        private void readFile(LogSlice slice) {
            outstanding = Outstanding.FILE;
            try {
                CompletableFuture.supplyAsync(() -> readAndRelease(slice), fileReads)
                        .whenComplete((bytes, failure) -> onFileRead.invoke(new FileRead(bytes, failure)));
            } catch (RuntimeException rejected) {
                // the storage dispatcher is shutting down: the slice is ours to give back
                slice.release();
                failStage(new KafkaException(
                        "reading a segment of " + tp + " at offset " + nextOffset + " failed", rejected));
            }
        }

        private void onFileRead(FileRead read) {
            outstanding = Outstanding.NOTHING;
            if (read.failure() == null) {
                onBytes(read.bytes());
                return;
            }
            Throwable cause = read.failure().getCause() != null ? read.failure().getCause() : read.failure();
            failStage(new KafkaException("reading a segment of " + tp + " at offset " + nextOffset + " failed", cause));
        }

        private void onBytes(ByteBuffer bytes) {
            int length = bytes.remaining();
            // sized from the previous read's bytes per record: growing the list cost 13% of the
            // stream's thread in a profile of 100-byte records
            List<T> chunk = new ArrayList<>(length / bytesPerRecord + 16);
            try {
                nextOffset = decoder.decode(bytes, nextOffset, chunk);
            } catch (RuntimeException e) {
                failStage(e instanceof KafkaException ? e : new KafkaException("decoding records of " + tp, e));
                return;
            }
            if (chunk.size() > 0) {
                bytesPerRecord = Math.max(MIN_BYTES_PER_RECORD, length / chunk.size());
            }
            if (!chunk.isEmpty()) {
                // a read of only control batches (or records before the offset) decodes to nothing
                chunks.add(chunk);
            }
            if (isAvailable(out) && !chunks.isEmpty()) {
                push(out, chunks.poll());
            }
            maybeRead();
        }

        @Override
        public void onPull() {
            if (!chunks.isEmpty()) {
                push(out, chunks.poll());
            }
            maybeRead();
        }

        @Override
        public void onTimer(Object key) {
            if (key == RENEW_LONG_POLL && outstanding == Outstanding.AWAIT) {
                longPollAbandoned.set(true);
                awaitData();
            }
        }

        @Override
        public void postStop() {
            longPollAbandoned.set(true);
        }

        private RuntimeException error(Errors error, String what, String partitionSays) {
            if (error == Errors.NOT_LEADER_OR_FOLLOWER) {
                return PartitionRoutes.unavailable(services, tp, topicId, "reading", partitionSays);
            }
            return error.exception(partitionSays == null ? what : what + ": " + partitionSays);
        }
    }
}
