package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.EndTxnResponse;

/**
 * EndTxn: a committed transaction then an aborted one on the same partition; a read_committed
 * consumer reads exactly the committed records. v0–4 (transaction version 1): the epoch stays, the
 * answer has no producer fields; a fenced epoch is PRODUCER_FENCED from v2 and INVALID_PRODUCER_EPOCH
 * before (KIP-588). v5 (transaction version 2, KIP-890): every EndTxn bumps the epoch and answers the
 * producer id and the new epoch, with which the next transaction writes from sequence 0.
 */
final class EndTxnSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("end-txn", version);
        Uuid topicId = sweep.createTopic(topic, 1);
        Txns.Producer producer = Txns.init(sweep, topic + "-txn");
        if (version >= 5) {
            epochBumps(sweep, version, producer, topic, topicId);
            return;
        }
        assertThat(Txns.addPartitions(sweep, (short) 3, producer, topic, 0).values())
                .containsOnly(Errors.NONE);
        Txns.produced(sweep, Txns.TV1_PRODUCE, producer, topic, topicId, 0, 0, "committed-1", "committed-2");
        EndTxnResponse commit = Txns.endTxn(sweep, version, producer, true);
        assertThat(commit.error()).isEqualTo(Errors.NONE);
        assertThat(commit.data().producerId()).isEqualTo(-1L);
        assertThat(commit.data().producerEpoch()).isEqualTo((short) -1);

        assertThat(Txns.addPartitions(sweep, (short) 3, producer, topic, 0).values())
                .containsOnly(Errors.NONE);
        Txns.produced(sweep, Txns.TV1_PRODUCE, producer, topic, topicId, 0, 2, "aborted-1");
        assertThat(Txns.endTxn(sweep, version, producer, false).error()).isEqualTo(Errors.NONE);
        assertThat(Txns.committedValues(sweep, topic, 0)).containsExactly("committed-1", "committed-2");

        Txns.Producer successor = Txns.init(sweep, producer.transactionalId());
        assertThat(successor.epoch()).isEqualTo((short) (producer.epoch() + 1));
        assertThat(Txns.endTxn(sweep, version, producer, true).error())
                .isEqualTo(version < 2 ? Errors.INVALID_PRODUCER_EPOCH : Errors.PRODUCER_FENCED);
    }

    private static void epochBumps(
            SweepContext sweep, short version, Txns.Producer producer, String topic, Uuid topicId) throws Exception {
        short latestProduce = ApiKeys.PRODUCE.latestVersion();
        Txns.produced(sweep, latestProduce, producer, topic, topicId, 0, 0, "committed-1");
        EndTxnResponse commit = Txns.endTxn(sweep, version, producer, true);
        assertThat(commit.error()).isEqualTo(Errors.NONE);
        assertThat(commit.data().producerId()).isEqualTo(producer.producerId());
        assertThat(commit.data().producerEpoch()).isEqualTo((short) (producer.epoch() + 1));

        Txns.Producer next = producer.withEpoch(commit.data().producerEpoch());
        Txns.produced(sweep, latestProduce, next, topic, topicId, 0, 0, "aborted-1");
        EndTxnResponse abort = Txns.endTxn(sweep, version, next, false);
        assertThat(abort.error()).isEqualTo(Errors.NONE);
        assertThat(abort.data().producerEpoch()).isEqualTo((short) (producer.epoch() + 2));
        assertThat(Txns.committedValues(sweep, topic, 0)).containsExactly("committed-1");

        // the epoch the first commit ended is fenced now
        assertThat(Txns.endTxn(sweep, version, producer, true).error()).isEqualTo(Errors.PRODUCER_FENCED);
    }
}
