package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.EndTxnResponse;

/**
 * TxnOffsetCommit: offsets held for the transaction become the group's committed offsets with its
 * commit and are dropped with its abort. Below v5 the group first joins the transaction with
 * AddOffsetsToTxn (transaction version 1); v5 adds it itself (KIP-890) and the transaction ends with
 * EndTxn v5. Generation -1 and no member from v3, as a producer outside the group's generations
 * sends it.
 */
final class TxnOffsetCommitSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("txn-offset-commit", version);
        String group = topic + "-group";
        sweep.createTopic(topic, 1);
        boolean v2 = version >= 5;
        short endVersion = v2 ? 5 : Txns.TV1_END_TXN;
        Txns.Producer producer = Txns.init(sweep, topic + "-txn");

        if (!v2) {
            assertThat(Txns.addOffsets(sweep, (short) 3, producer, group)).isEqualTo(Errors.NONE);
        }
        assertThat(Txns.txnOffsetCommit(sweep, version, producer, group, topic, 7))
                .isEqualTo(Errors.NONE);
        EndTxnResponse commit = Txns.endTxn(sweep, endVersion, producer, true);
        assertThat(commit.error()).isEqualTo(Errors.NONE);
        assertThat(Txns.awaitCommitted(sweep, group, topic, 7)).isEqualTo(7);

        Txns.Producer next = v2 ? producer.withEpoch(commit.data().producerEpoch()) : producer;
        if (!v2) {
            assertThat(Txns.addOffsets(sweep, (short) 3, next, group)).isEqualTo(Errors.NONE);
        }
        assertThat(Txns.txnOffsetCommit(sweep, version, next, group, topic, 9)).isEqualTo(Errors.NONE);
        assertThat(Txns.endTxn(sweep, endVersion, next, false).error()).isEqualTo(Errors.NONE);
        // InitProducerId answers once the abort is complete
        Txns.init(sweep, producer.transactionalId());
        assertThat(Groups.committed(sweep, group, topic, 1)).containsExactly(7L);
    }
}
