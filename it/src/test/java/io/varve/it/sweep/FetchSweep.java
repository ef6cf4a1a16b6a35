package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.describe;
import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * Fetch v4+: a sessionless fetch from offset 0 of two partitions (exact records, high watermark,
 * last stable offset, log start offset from v5), read_committed, a fetch from the middle of a
 * batch, the response's max bytes (KIP-74: one whole batch when the first is larger than the limit),
 * fetch sessions from v7 (a full fetch, then incremental ones that answer only what changed), the
 * current leader epoch from v9 (UNKNOWN_LEADER_EPOCH for a newer one), and errors:
 * OFFSET_OUT_OF_RANGE, an unknown topic (UNKNOWN_TOPIC_ID by id from v13).
 */
final class FetchSweep implements VersionScenario {
    private static final short FIRST_SESSION_VERSION = 7;
    private static final short FIRST_LEADER_EPOCH_VERSION = 9;
    private static final short FIRST_TOPIC_ID_VERSION = 13;

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("fetch", version);
        Uuid topicId = sweep.createTopic(topic, 2);
        sweep.produce(topic, topicId, 0, "a", "b", "c");
        sweep.produce(topic, topicId, 0, "x", "y");
        sweep.produce(topic, topicId, 1, "d", "e");
        Fetcher fetcher = new Fetcher(sweep, version, topic, topicId);

        FetchResponse all = fetcher.fetch(request(version, IsolationLevel.READ_UNCOMMITTED, Integer.MAX_VALUE)
                .setTopics(List.of(fetcher.topic(new int[] {0, 1}, new long[] {0, 0}, 1 << 20))));
        assertThat(all.error()).isEqualTo(Errors.NONE);
        assertPartition(
                fetcher.partition(all, 0),
                version,
                5L,
                "0:key-0=a",
                "1:key-1=b",
                "2:key-2=c",
                "3:key-0=x",
                "4:key-1=y");
        assertPartition(fetcher.partition(all, 1), version, 2L, "0:key-0=d", "1:key-1=e");

        FetchResponse committed = fetcher.fetch(request(version, IsolationLevel.READ_COMMITTED, Integer.MAX_VALUE)
                .setTopics(List.of(fetcher.topic(new int[] {1}, new long[] {1}, 1 << 20))));
        // a fetch from the middle of a batch gets the whole batch; the consumer skips what it has
        assertPartition(fetcher.partition(committed, 1), version, 2L, "0:key-0=d", "1:key-1=e");

        // KIP-74: a response limit smaller than the first batch still returns that one whole batch
        FetchResponse limited = fetcher.fetch(request(version, IsolationLevel.READ_UNCOMMITTED, 1)
                .setTopics(List.of(fetcher.topic(new int[] {0, 1}, new long[] {0, 0}, 1 << 20))));
        assertPartition(fetcher.partition(limited, 0), version, 5L, "0:key-0=a", "1:key-1=b", "2:key-2=c");
        assertPartition(fetcher.partition(limited, 1), version, 2L);

        FetchResponse outOfRange = fetcher.fetch(request(version, IsolationLevel.READ_UNCOMMITTED, Integer.MAX_VALUE)
                .setTopics(List.of(fetcher.topic(new int[] {0}, new long[] {100}, 1 << 20))));
        assertThat(Errors.forCode(fetcher.partition(outOfRange, 0).errorCode())).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);

        onUnknownTopic(sweep, version);
        if (version >= FIRST_LEADER_EPOCH_VERSION) {
            onCurrentLeaderEpoch(fetcher, version);
        }
        if (version >= FIRST_SESSION_VERSION) {
            onSessions(sweep, fetcher, version, topicId);
        }
    }

    private static void onUnknownTopic(SweepContext sweep, short version) throws Exception {
        boolean byId = version >= FIRST_TOPIC_ID_VERSION;
        Fetcher unknown = new Fetcher(sweep, version, byId ? null : name("fetch-missing", version), Uuid.randomUuid());
        FetchResponse response = unknown.fetch(request(version, IsolationLevel.READ_UNCOMMITTED, Integer.MAX_VALUE)
                .setTopics(List.of(unknown.topic(new int[] {0}, new long[] {0}, 1 << 20))));
        assertThat(Errors.forCode(unknown.partition(response, 0).errorCode()))
                .isEqualTo(byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    private static void onCurrentLeaderEpoch(Fetcher fetcher, short version) throws Exception {
        FetchTopic topic = fetcher.topic(new int[] {1}, new long[] {0}, 1 << 20);
        topic.partitions().get(0).setCurrentLeaderEpoch(0);
        FetchResponse current = fetcher.fetch(request(version, IsolationLevel.READ_UNCOMMITTED, Integer.MAX_VALUE)
                .setTopics(List.of(topic)));
        assertPartition(fetcher.partition(current, 1), version, 2L, "0:key-0=d", "1:key-1=e");
        topic.partitions().get(0).setCurrentLeaderEpoch(99);
        FetchResponse newer = fetcher.fetch(request(version, IsolationLevel.READ_UNCOMMITTED, Integer.MAX_VALUE)
                .setTopics(List.of(topic)));
        assertThat(Errors.forCode(fetcher.partition(newer, 1).errorCode())).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
    }

    /** KIP-227 as kafka-clients runs it: a full fetch opens a session, incremental ones follow. */
    private static void onSessions(SweepContext sweep, Fetcher fetcher, short version, Uuid topicId) throws Exception {
        FetchResponse full = fetcher.fetch(request(version, IsolationLevel.READ_UNCOMMITTED, Integer.MAX_VALUE)
                .setSessionId(0)
                .setSessionEpoch(0)
                .setTopics(List.of(fetcher.topic(new int[] {0, 1}, new long[] {0, 0}, 1 << 20))));
        int sessionId = full.sessionId();
        assertThat(sessionId).isNotZero();
        assertPartition(fetcher.partition(full, 1), version, 2L, "0:key-0=d", "1:key-1=e");

        // the consumer moved to the end of both partitions: nothing new, nothing answered
        FetchResponse idle = fetcher.fetch(request(version, IsolationLevel.READ_UNCOMMITTED, Integer.MAX_VALUE)
                .setMaxWaitMs(0)
                .setSessionId(sessionId)
                .setSessionEpoch(1)
                .setTopics(List.of(fetcher.topic(new int[] {0, 1}, new long[] {5, 2}, 1 << 20))));
        assertThat(idle.error()).isEqualTo(Errors.NONE);
        assertThat(idle.sessionId()).isEqualTo(sessionId);
        assertThat(idle.data().responses()).isEmpty();

        sweep.produce(fetcher.topicName(), topicId, 1, "f");
        FetchResponse changed = fetcher.fetch(request(version, IsolationLevel.READ_UNCOMMITTED, Integer.MAX_VALUE)
                .setSessionId(sessionId)
                .setSessionEpoch(2));
        assertThat(changed.data().responses()).hasSize(1);
        assertThat(changed.data().responses().get(0).partitions())
                .extracting(PartitionData::partitionIndex)
                .containsExactly(1);
        assertPartition(fetcher.partition(changed, 1), version, 3L, "2:key-0=f");

        FetchResponse staleEpoch = fetcher.fetch(request(version, IsolationLevel.READ_UNCOMMITTED, Integer.MAX_VALUE)
                .setSessionId(sessionId)
                .setSessionEpoch(7));
        assertThat(staleEpoch.error()).isEqualTo(Errors.INVALID_FETCH_SESSION_EPOCH);
        FetchResponse unknownSession =
                fetcher.fetch(request(version, IsolationLevel.READ_UNCOMMITTED, Integer.MAX_VALUE)
                        .setSessionId(sessionId + 1000)
                        .setSessionEpoch(1));
        assertThat(unknownSession.error()).isEqualTo(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }

    private static FetchRequestData request(short version, IsolationLevel isolation, int maxBytes) {
        FetchRequestData request = new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(500)
                .setMinBytes(1)
                .setMaxBytes(maxBytes)
                .setIsolationLevel(isolation.id());
        if (version >= FIRST_SESSION_VERSION) {
            // a sessionless fetch, as librdkafka sends them
            request.setSessionId(0).setSessionEpoch(-1);
        }
        return request;
    }

    private static void assertPartition(PartitionData partition, short version, long highWatermark, String... records) {
        assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.NONE);
        assertThat(partition.highWatermark()).isEqualTo(highWatermark);
        assertThat(partition.lastStableOffset()).isEqualTo(highWatermark);
        assertThat(partition.logStartOffset()).isEqualTo(version >= 5 ? 0L : -1L);
        assertThat(describe(partition.records())).containsExactly(records);
    }

    /** Builds the topic part of requests by name or by id, as the version requires, and finds answers. */
    private record Fetcher(SweepContext sweep, short version, String topicName, Uuid topicId) {
        FetchResponse fetch(FetchRequestData request) throws Exception {
            return sweep.client().send(ApiKeys.FETCH, version, request);
        }

        FetchTopic topic(int[] partitions, long[] offsets, int partitionMaxBytes) {
            List<FetchPartition> fetchPartitions = new ArrayList<>();
            for (int i = 0; i < partitions.length; i++) {
                fetchPartitions.add(new FetchPartition()
                        .setPartition(partitions[i])
                        .setFetchOffset(offsets[i])
                        .setPartitionMaxBytes(partitionMaxBytes));
            }
            FetchTopic topic = new FetchTopic().setPartitions(fetchPartitions);
            return version >= FIRST_TOPIC_ID_VERSION ? topic.setTopicId(topicId) : topic.setTopic(topicName);
        }

        PartitionData partition(FetchResponse response, int partition) {
            for (FetchableTopicResponse topic : response.data().responses()) {
                boolean same = version >= FIRST_TOPIC_ID_VERSION
                        ? topic.topicId().equals(topicId)
                        : topic.topic().equals(topicName);
                if (same) {
                    for (PartitionData data : topic.partitions()) {
                        if (data.partitionIndex() == partition) {
                            return data;
                        }
                    }
                }
            }
            throw new AssertionError("no partition " + partition + " in " + response.data());
        }
    }
}
