package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdResponse;

/**
 * InitProducerId v0+ for idempotent producers (no transactional id): a new producer id at epoch 0
 * each time, also from v3 when the producer names its previous id and epoch (Kafka gives an
 * idempotent producer a new id then too).
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
