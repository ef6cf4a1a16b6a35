package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * AddOffsetsToTxn (transaction version 1's {@code sendOffsetsToTransaction}): the group joins the
 * transaction, the offsets the producer then commits for it become the group's committed offsets with
 * the transaction's commit; a fenced epoch is PRODUCER_FENCED from v2 and INVALID_PRODUCER_EPOCH
 * before (KIP-588).
 */
final class AddOffsetsToTxnSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("add-offsets", version);
        String group = topic + "-group";
        Uuid topicId = sweep.createTopic(topic, 1);
        Txns.Producer producer = Txns.init(sweep, topic + "-txn");
        assertThat(Txns.addPartitions(sweep, (short) 3, producer, topic, 0).values())
                .containsOnly(Errors.NONE);
        Txns.produced(sweep, Txns.TV1_PRODUCE, producer, topic, topicId, 0, 0, "output");
        assertThat(Txns.addOffsets(sweep, version, producer, group)).isEqualTo(Errors.NONE);
        assertThat(Txns.txnOffsetCommit(sweep, (short) 3, producer, group, topic, 1))
                .isEqualTo(Errors.NONE);
        assertThat(Txns.endTxn(sweep, Txns.TV1_END_TXN, producer, true).error()).isEqualTo(Errors.NONE);
        assertThat(Txns.awaitCommitted(sweep, group, topic, 1)).isEqualTo(1);
        assertThat(Txns.committedValues(sweep, topic, 0)).containsExactly("output");

        Txns.init(sweep, producer.transactionalId());
        assertThat(Txns.addOffsets(sweep, version, producer, group))
                .isEqualTo(version < 2 ? Errors.INVALID_PRODUCER_EPOCH : Errors.PRODUCER_FENCED);
    }
}
