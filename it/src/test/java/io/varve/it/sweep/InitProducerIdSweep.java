package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdResponse;

/**
 * InitProducerId v0+ for idempotent producers (no transactional id): a new producer id at epoch 0
 * each time, also from v3 when the producer names its previous id and epoch (Kafka gives an
 * idempotent producer a new id then too); with a transactional id, see {@link #transactional}.
 */
final class InitProducerIdSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        InitProducerIdResponse first = init(sweep, version, new InitProducerIdRequestData());
        InitProducerIdRequestData again = new InitProducerIdRequestData();
        if (version >= 3) {
            again.setProducerId(first.data().producerId())
                    .setProducerEpoch(first.data().producerEpoch());
        }
        InitProducerIdResponse second = init(sweep, version, again);
        assertThat(second.data().producerId()).isNotEqualTo(first.data().producerId());
        transactional(sweep, version);
    }

    /**
     * A transactional id keeps its producer id and each InitProducerId bumps the epoch; from v3 a
     * producer naming its current id and epoch gets the next epoch (KIP-360), one naming an older epoch
     * is fenced: INVALID_PRODUCER_EPOCH at v3, PRODUCER_FENCED from v4 (KIP-588).
     */
    private static void transactional(SweepContext sweep, short version) throws Exception {
        String transactionalId = SweepContext.name("init-producer-id", version) + "-txn";
        InitProducerIdRequestData request = new InitProducerIdRequestData()
                .setTransactionalId(transactionalId)
                .setTransactionTimeoutMs(60_000);
        InitProducerIdResponse first = sweep.client().send(ApiKeys.INIT_PRODUCER_ID, version, request);
        assertThat(first.error()).isEqualTo(Errors.NONE);
        InitProducerIdResponse second = sweep.client().send(ApiKeys.INIT_PRODUCER_ID, version, request);
        assertThat(second.error()).isEqualTo(Errors.NONE);
        assertThat(second.data().producerId()).isEqualTo(first.data().producerId());
        assertThat(second.data().producerEpoch())
                .isEqualTo((short) (first.data().producerEpoch() + 1));
        if (version < 3) {
            return;
        }
        InitProducerIdResponse recovered = sweep.client()
                .send(
                        ApiKeys.INIT_PRODUCER_ID,
                        version,
                        request.duplicate()
                                .setProducerId(second.data().producerId())
                                .setProducerEpoch(second.data().producerEpoch()));
        assertThat(recovered.error()).isEqualTo(Errors.NONE);
        assertThat(recovered.data().producerId()).isEqualTo(first.data().producerId());
        assertThat(recovered.data().producerEpoch())
                .isEqualTo((short) (second.data().producerEpoch() + 1));
        InitProducerIdResponse stale = sweep.client()
                .send(
                        ApiKeys.INIT_PRODUCER_ID,
                        version,
                        request.duplicate()
                                .setProducerId(first.data().producerId())
                                .setProducerEpoch(first.data().producerEpoch()));
        assertThat(stale.error()).isEqualTo(version < 4 ? Errors.INVALID_PRODUCER_EPOCH : Errors.PRODUCER_FENCED);
    }

    private static InitProducerIdResponse init(SweepContext sweep, short version, InitProducerIdRequestData request)
            throws Exception {
        InitProducerIdResponse answer = sweep.client()
                .send(
                        ApiKeys.INIT_PRODUCER_ID,
                        version,
                        request.setTransactionalId(null).setTransactionTimeoutMs(60_000));
        assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
        assertThat(answer.data().producerId()).isNotNegative();
        assertThat(answer.data().producerEpoch()).isZero();
        return answer;
    }
}
