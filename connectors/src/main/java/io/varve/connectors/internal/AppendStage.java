package io.varve.connectors.internal;

import io.varve.connectors.stream.Acks;
import io.varve.connectors.stream.ProducerMessage;
import io.varve.connectors.stream.ProducerResult;
import io.varve.connectors.stream.SinkSettings;
import io.varve.metadata.Ask;
import io.varve.metadata.TopicImage;
import io.varve.partition.PartitionActor;
import io.varve.transport.api.BrokerServices;
import io.varve.txn.pid.ProducerIdManager;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageLogic.StageActor;
import org.apache.pekko.stream.stage.InHandler;
import org.apache.pekko.stream.stage.OutHandler;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import scala.Tuple2;
import scala.runtime.BoxedUnit;

/**
 * The in-process sink's stage: serializes each record, picks its partition as Kafka's producer does
 * (the record's own, the murmur2 hash of its key, else a sticky partition per batch), batches records
 * per partition ({@link PartitionBatches}: Kafka v2 batches built by kafka-clients, never
 * hand-encoded), and sends each batch as a {@link PartitionActor.Append} with the chosen acks to the
 * partition actor the node's Kafka listener uses, so validation, idempotence and offsets are the
 * listener's. Emits one {@link ProducerResult} per record, in input order.
 *
 * <p>Answers come to the stage's own actor ref (no ask, no temporary actor). The stage watches
 * every partition actor it writes to: a partition that stops (its topic deleted, the node stopping)
 * fails the stage at once with the reason from the metadata ({@link PartitionRoutes}); an append
 * left unanswered longer than the timeout fails it with a {@code TimeoutException}, so the stage
 * never hangs. Backpressure: at most {@code maxBufferedRecords} records are taken from upstream and
 * not yet emitted.
 */
public final class AppendStage<K, V, P>
        extends GraphStage<FlowShape<ProducerMessage<K, V, P>, ProducerResult<K, V, P>>> {
    private static final Duration PRODUCER_ID_RETRY = Duration.ofMillis(100);
    private static final Object TIMEOUT_CHECK = "timeout-check";
    private static final Object PRODUCER_ID_RETRY_KEY = "producer-id-retry";

    private final Inlet<ProducerMessage<K, V, P>> in = Inlet.create("VarveAppend.in");
    private final Outlet<ProducerResult<K, V, P>> out = Outlet.create("VarveAppend.out");
    private final FlowShape<ProducerMessage<K, V, P>, ProducerResult<K, V, P>> shape = FlowShape.of(in, out);
    private final BrokerServices services;
    private final SinkSettings<K, V> settings;
    private final BiConsumer<P, Throwable> abandoned;

    /**
     * @param abandoned told of every pass-through whose record will not be written because the stage
     *     failed or was cancelled (the acknowledging sink fails its future)
     */
    public AppendStage(BrokerServices services, SinkSettings<K, V> settings, BiConsumer<P, Throwable> abandoned) {
        this.services = services;
        this.settings = settings;
        this.abandoned = abandoned;
    }

    @Override
    public FlowShape<ProducerMessage<K, V, P>, ProducerResult<K, V, P>> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
        return new Logic();
    }

    /** One record between upstream and its result, in input order. */
    private final class Slot {
        final ProducerMessage<K, V, P> message;
        final TopicPartition tp;
        final long timestamp;
        final int keySize;
        final int valueSize;
        RecordMetadata metadata;

        Slot(ProducerMessage<K, V, P> message, TopicPartition tp, long timestamp, int keySize, int valueSize) {
            this.message = message;
            this.tp = tp;
            this.timestamp = timestamp;
            this.keySize = keySize;
            this.valueSize = valueSize;
        }

        void complete(long baseOffset, int index, long logAppendTimeMs) {
            long time = logAppendTimeMs != RecordBatch.NO_TIMESTAMP ? logAppendTimeMs : timestamp;
            metadata = new RecordMetadata(tp, baseOffset, index, time, keySize, valueSize);
        }
    }

    /** A partition the stage writes to: its actor, its topic's id then, and its batches. */
    private final class Route {
        final org.apache.pekko.actor.typed.ActorRef<PartitionActor.Command> actor;
        final Uuid topicId;
        final PartitionBatches<Slot> batches;

        Route(
                org.apache.pekko.actor.typed.ActorRef<PartitionActor.Command> actor,
                Uuid topicId,
                PartitionBatches<Slot> batches) {
            this.actor = actor;
            this.topicId = topicId;
            this.batches = batches;
        }
    }

    private final class Logic extends TimerGraphStageLogic implements InHandler, OutHandler {
        private final ArrayDeque<Slot> pending = new ArrayDeque<>();
        private final Map<TopicPartition, Route> routes = new HashMap<>();
        private final Map<ActorRef, TopicPartition> watched = new HashMap<>();
        private final Partitioner partitioner = new Partitioner();
        private final long timeoutNanos = settings.timeout().toNanos();
        private ProducerIdentity identity;
        private StageActor self;
        private org.apache.pekko.actor.typed.ActorRef<PartitionActor.AppendResponse> replyTo;
        private AsyncCallback<ProducerIdManager.GeneratedProducerId> onProducerId;
        private long producerIdDeadlineNanos;
        private boolean timerRunning;

        Logic() {
            super(shape);
            setHandlers(in, out, this);
        }

        @Override
        public void preStart() {
            self = getStageActor(this::onMessage);
            replyTo = Adapter.toTyped(self.ref());
            if (settings.idempotence()) {
                onProducerId = createAsyncCallback(this::onProducerId);
                producerIdDeadlineNanos = System.nanoTime() + timeoutNanos;
                requestProducerId();
            } else {
                identity = ProducerIdentity.NONE;
                pull(in);
            }
        }

        private void requestProducerId() {
            Ask.ask(
                            services.producerIds(),
                            ProducerIdManager.GenerateProducerId::new,
                            settings.timeout(),
                            services.scheduler())
                    .whenComplete((answer, failure) -> onProducerId.invoke(
                            failure == null
                                    ? answer
                                    : new ProducerIdManager.GeneratedProducerId(-1, Errors.REQUEST_TIMED_OUT)));
        }

        private void onProducerId(ProducerIdManager.GeneratedProducerId answer) {
            if (answer.error() == Errors.NONE) {
                identity = new ProducerIdentity(answer.producerId(), (short) 0);
                maybePull();
            } else if (answer.error().exception() instanceof org.apache.kafka.common.errors.RetriableException
                    && System.nanoTime() < producerIdDeadlineNanos) {
                scheduleOnce(PRODUCER_ID_RETRY_KEY, PRODUCER_ID_RETRY);
            } else {
                fail(answer.error().exception("no producer id for the idempotent sink on node " + services.nodeId()));
            }
        }

        @Override
        public void onPush() {
            ProducerMessage<K, V, P> message = grab(in);
            try {
                accept(message);
            } catch (RuntimeException e) {
                RuntimeException failure =
                        e instanceof KafkaException ? e : new KafkaException("cannot write " + message.record(), e);
                abandoned.accept(message.passThrough(), failure);
                fail(failure);
                return;
            }
            emit();
            maybePull();
        }

        private void accept(ProducerMessage<K, V, P> message) {
            ProducerRecord<K, V> record = message.record();
            TopicImage topic = services.metadata()
                    .image()
                    .topic(record.topic())
                    .orElseThrow(() -> new UnknownTopicOrPartitionException("topic '" + record.topic()
                            + "' does not exist on node " + services.nodeId()
                            + "; create it first (EmbeddedVarve.createTopics or Kafka's Admin)"));
            Header[] headers = record.headers().toArray();
            byte[] key = settings.keySerializer().serialize(record.topic(), record.headers(), record.key());
            byte[] value = settings.valueSerializer().serialize(record.topic(), record.headers(), record.value());
            int partition = partitioner.partition(record, key, topic);
            TopicPartition tp = new TopicPartition(record.topic(), partition);
            Route route = routeTo(tp, topic.topicId());
            long timestamp = record.timestamp() != null ? record.timestamp() : System.currentTimeMillis();
            Slot slot =
                    new Slot(message, tp, timestamp, key == null ? -1 : key.length, value == null ? -1 : value.length);
            pending.add(slot);
            route.batches.add(slot, timestamp, key, value, headers);
            send(route);
            if (record.partition() == null && key == null && !route.batches.hasOpenRecords()) {
                partitioner.onBatchSent(
                        record.topic(), partition, topic.partitions().size());
            }
        }

        private Route routeTo(TopicPartition tp, Uuid topicId) {
            Route route = routes.get(tp);
            if (route != null) {
                return route;
            }
            org.apache.pekko.actor.typed.ActorRef<PartitionActor.Command> actor = services.partitions()
                    .lookup(tp)
                    .orElseThrow(() -> PartitionRoutes.unavailable(services, tp, null, "appending to"));
            ActorRef classic = Adapter.toClassic(actor);
            self.watch(classic);
            watched.put(classic, tp);
            route = new Route(
                    actor,
                    topicId,
                    new PartitionBatches<>(
                            tp,
                            identity,
                            settings.compression(),
                            settings.batchBytes(),
                            settings.maxInFlightPerPartition()));
            routes.put(tp, route);
            return route;
        }

        /** Sends the partition's batches while it has room for more outstanding appends. */
        private void send(Route route) {
            Optional<PartitionBatches.Batch<Slot>> next;
            while ((next = route.batches.nextToSend(System.nanoTime() + timeoutNanos)).isPresent()) {
                PartitionBatches.Batch<Slot> batch = next.get();
                route.actor.tell(new PartitionActor.Append(
                        batch.records(), settings.acks().code(), timeoutMs(), replyTo));
                if (settings.acks() == Acks.NONE) {
                    completeSlots(batch.elements(), -1L, RecordBatch.NO_TIMESTAMP);
                }
                if (!timerRunning) {
                    timerRunning = true;
                    scheduleOnce(TIMEOUT_CHECK, checkInterval());
                }
            }
        }

        private int timeoutMs() {
            return (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis());
        }

        private Duration checkInterval() {
            Duration second = Duration.ofSeconds(1);
            return settings.timeout().compareTo(second) < 0 ? settings.timeout() : second;
        }

        private BoxedUnit onMessage(Tuple2<ActorRef, Object> envelope) {
            Object message = envelope._2();
            if (message instanceof PartitionActor.AppendResponse answer) {
                onAnswer(answer);
            } else if (message instanceof Terminated terminated) {
                onPartitionStopped(terminated.actor());
            }
            return BoxedUnit.UNIT;
        }

        private void onAnswer(PartitionActor.AppendResponse answer) {
            Route route = routes.get(answer.tp());
            if (route == null) {
                return;
            }
            PartitionBatches.Batch<Slot> batch = route.batches.onAnswered();
            if (answer.error() != Errors.NONE) {
                fail(appendFailed(answer, batch.elements().size()));
                return;
            }
            if (settings.acks() != Acks.NONE) {
                completeSlots(batch.elements(), answer.baseOffset(), answer.logAppendTimeMs());
            }
            send(route);
            emit();
            maybePull();
            maybeComplete();
        }

        private RuntimeException appendFailed(PartitionActor.AppendResponse answer, int records) {
            String message = "appending " + records + " record(s) to " + answer.tp() + " failed with " + answer.error()
                    + ": " + answer.message();
            if (answer.error() == Errors.INVALID_PRODUCER_EPOCH || answer.error() == Errors.PRODUCER_FENCED) {
                return new ProducerFencedException(message + " (producer id " + identity.producerId() + ", epoch "
                        + identity.producerEpoch() + ")");
            }
            if (answer.error() == Errors.NOT_LEADER_OR_FOLLOWER) {
                return PartitionRoutes.unavailable(
                        services, answer.tp(), routes.get(answer.tp()).topicId, "appending to", answer.message());
            }
            return answer.error().exception(message);
        }

        private void completeSlots(List<Slot> slots, long baseOffset, long logAppendTimeMs) {
            for (int i = 0; i < slots.size(); i++) {
                slots.get(i).complete(baseOffset, i, logAppendTimeMs);
            }
        }

        private void onPartitionStopped(ActorRef actor) {
            TopicPartition tp = watched.remove(actor);
            if (tp != null) {
                fail(PartitionRoutes.unavailable(services, tp, routes.get(tp).topicId, "appending to"));
            }
        }

        @Override
        public void onTimer(Object key) {
            if (key == PRODUCER_ID_RETRY_KEY) {
                requestProducerId();
                return;
            }
            timerRunning = false;
            long now = System.nanoTime();
            boolean outstanding = false;
            for (Route route : routes.values()) {
                Optional<Long> deadline = route.batches.oldestDeadlineNanos();
                if (deadline.isPresent() && deadline.get() - now < 0) {
                    fail(new TimeoutException("no answer from " + route.batches.tp() + " to an append within "
                            + settings.timeout().toMillis() + " ms"));
                    return;
                }
                outstanding |= deadline.isPresent();
            }
            if (outstanding) {
                timerRunning = true;
                scheduleOnce(TIMEOUT_CHECK, checkInterval());
            }
        }

        @Override
        public void onPull() {
            emit();
            maybePull();
            maybeComplete();
        }

        private void emit() {
            Slot head = pending.peek();
            if (head != null && head.metadata != null && isAvailable(out)) {
                pending.poll();
                push(out, new ProducerResult<>(head.message.record(), head.metadata, head.message.passThrough()));
            }
        }

        private void maybePull() {
            if (identity != null
                    && !isClosed(in)
                    && !hasBeenPulled(in)
                    && pending.size() < settings.maxBufferedRecords()) {
                pull(in);
            }
        }

        private void maybeComplete() {
            if (isClosed(in) && pending.isEmpty()) {
                completeStage();
            }
        }

        @Override
        public void onUpstreamFinish() {
            maybeComplete();
        }

        @Override
        public void onUpstreamFailure(Throwable cause) {
            fail(cause);
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
            abandonAll(cause);
            cancelStage(cause);
        }

        private void fail(Throwable cause) {
            abandonAll(cause);
            failStage(cause);
        }

        private void abandonAll(Throwable cause) {
            Slot slot;
            while ((slot = pending.poll()) != null) {
                abandoned.accept(slot.message.passThrough(), cause);
            }
        }
    }
}
