package io.varve.transport.api.fetch;

import io.varve.metadata.BrokerInfo;
import io.varve.storage.index.AbortedTxn;
import io.varve.transport.codec.LogSliceRecords;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.LeaderIdAndEpoch;
import org.apache.kafka.common.message.FetchResponseData.NodeEndpoint;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Builds a {@code FetchResponseData} from partition results: consecutive partitions of one topic
 * share a topic entry (named by name before v13, by id from v13); record sections are {@link
 * LogSliceRecords} (written with sendfile); aborted transactions only for read_committed; the
 * KIP-951 leader hint from v12 and the leaders' endpoints from v16. Stateless.
 */
final class FetchResponseBuilder {
    private static final short FIRST_TOPIC_ID_VERSION = 13;
    private static final short FIRST_CURRENT_LEADER_VERSION = 12;
    private static final short FIRST_NODE_ENDPOINTS_VERSION = 16;

    private FetchResponseBuilder() {}

    static FetchResponseData error(Errors error) {
        return new FetchResponseData().setErrorCode(error.code()).setSessionId(0);
    }

    static FetchResponseData build(short version, int sessionId, List<PartitionResult> results, boolean readCommitted) {
        FetchResponseData data =
                new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(sessionId);
        Map<Integer, BrokerInfo> endpoints = new LinkedHashMap<>();
        FetchableTopicResponse topic = null;
        for (PartitionResult result : results) {
            if (topic == null || !isSameTopic(topic, result, version)) {
                topic = new FetchableTopicResponse();
                if (version >= FIRST_TOPIC_ID_VERSION) {
                    topic.setTopicId(result.partition().topicId());
                } else {
                    topic.setTopic(result.partition().topic());
                }
                data.responses().add(topic);
            }
            topic.partitions().add(partition(version, result, readCommitted));
            if (version >= FIRST_NODE_ENDPOINTS_VERSION) {
                result.leaderHint().leader().ifPresent(broker -> endpoints.put(broker.nodeId(), broker));
            }
        }
        endpoints.values().forEach(broker -> data.nodeEndpoints()
                .add(new NodeEndpoint()
                        .setNodeId(broker.nodeId())
                        .setHost(broker.host())
                        .setPort(broker.port())
                        .setRack(broker.rack())));
        return data;
    }

    private static boolean isSameTopic(FetchableTopicResponse topic, PartitionResult result, short version) {
        return version >= FIRST_TOPIC_ID_VERSION
                ? topic.topicId().equals(result.partition().topicId())
                : Objects.equals(topic.topic(), result.partition().topic());
    }

    private static PartitionData partition(short version, PartitionResult result, boolean readCommitted) {
        PartitionData partition = new PartitionData()
                .setPartitionIndex(result.partition().partition())
                .setErrorCode(result.error().code())
                .setHighWatermark(result.highWatermark())
                .setLastStableOffset(result.lastStableOffset())
                .setLogStartOffset(result.logStartOffset())
                .setRecords(records(result));
        if (readCommitted && !result.hasError()) {
            List<AbortedTransaction> aborted = new ArrayList<>();
            for (AbortedTxn txn : result.abortedTransactions()) {
                aborted.add(
                        new AbortedTransaction().setProducerId(txn.producerId()).setFirstOffset(txn.firstOffset()));
            }
            partition.setAbortedTransactions(aborted);
        }
        if (version >= FIRST_CURRENT_LEADER_VERSION && result.leaderHint().isKnown()) {
            partition.setCurrentLeader(new LeaderIdAndEpoch()
                    .setLeaderId(result.leaderHint().leaderId())
                    .setLeaderEpoch(result.leaderHint().leaderEpoch()));
        }
        return partition;
    }

    /** Small reads arrive as bytes; the rest is sent from the segment file with sendfile. */
    private static org.apache.kafka.common.record.internal.BaseRecords records(PartitionResult result) {
        if (result.recordBytes() == 0) {
            return MemoryRecords.EMPTY;
        }
        return result.slice().hasBytes()
                ? MemoryRecords.readableRecords(result.slice().bytes().duplicate())
                : new LogSliceRecords(result.slice());
    }
}
