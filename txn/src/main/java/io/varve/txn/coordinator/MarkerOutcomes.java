package io.varve.txn.coordinator;

import io.varve.txn.TransactionCoordinator.MarkersWritten;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;

/**
 * What the answers to a round of markers mean, as Kafka's marker completion handler decides:
 * written, or never writable (the topic was deleted, the partition saw a newer producer epoch, the
 * version is unsupported): done; fenced by a newer coordinator: this entity is stale and stops;
 * anything else (no leader here yet, not enough replicas, a timeout, an unreachable group
 * coordinator): sent again. Stateless.
 */
final class MarkerOutcomes {
    private MarkerOutcomes() {}

    enum Verdict {
        CONTINUE,
        FENCED
    }

    static Verdict apply(MarkersWritten written, MarkerRound round, String transactionalId, Logger log) {
        for (Map.Entry<TopicPartition, Errors> answer : written.partitions().entrySet()) {
            Errors error = answer.getValue();
            switch (error) {
                case NONE -> round.written(answer.getKey());
                case UNKNOWN_TOPIC_OR_PARTITION,
                        INVALID_PRODUCER_EPOCH,
                        UNSUPPORTED_VERSION,
                        UNSUPPORTED_FOR_MESSAGE_FORMAT -> {
                    log.warn(
                            "marker of {} for {} cannot be written ({}); the partition is left out",
                            transactionalId,
                            answer.getKey(),
                            error);
                    round.written(answer.getKey());
                }
                case TRANSACTION_COORDINATOR_FENCED -> {
                    log.warn(
                            "marker of {} for {} was fenced: a newer coordinator owns the id, this one stops",
                            transactionalId,
                            answer.getKey());
                    return Verdict.FENCED;
                }
                default -> log.debug(
                        "marker of {} for {} failed with {}; retrying", transactionalId, answer.getKey(), error);
            }
        }
        for (Map.Entry<String, Errors> answer : written.groups().entrySet()) {
            if (answer.getValue() == Errors.NONE) {
                round.written(answer.getKey());
            } else {
                log.debug(
                        "offsets marker of {} for group {} failed with {}; retrying",
                        transactionalId,
                        answer.getKey(),
                        answer.getValue());
            }
        }
        return Verdict.CONTINUE;
    }
}
