package io.varve.transport.api.admin.cluster;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData.AlterReplicaLogDir;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopic;
import org.apache.kafka.common.message.AlterReplicaLogDirsResponseData;
import org.apache.kafka.common.message.AlterReplicaLogDirsResponseData.AlterReplicaLogDirPartitionResult;
import org.apache.kafka.common.message.AlterReplicaLogDirsResponseData.AlterReplicaLogDirTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AlterReplicaLogDirsRequest;

/**
 * AlterReplicaLogDirs ({@code kafka-reassign-partitions.sh} with {@code log_dirs}), answered as
 * Kafka answers on a broker with one log directory: every replica already lives in this node's data
 * directory, so moving one there is NONE (nothing to do; a partition this node does not host is NONE
 * too, as Kafka answers), and any other path is LOG_DIR_NOT_FOUND ("Log dir ... is not found in the
 * config."). Stateless.
 */
public final class AlterReplicaLogDirsHandler implements ApiHandler {
    private final Path logDir;

    public AlterReplicaLogDirsHandler(Path logDir) {
        this.logDir = logDir;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_REPLICA_LOG_DIRS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        AlterReplicaLogDirsRequestData data = ((AlterReplicaLogDirsRequest) request).data();
        String ours = logDir.toAbsolutePath().normalize().toString();
        Map<String, AlterReplicaLogDirTopicResult> byTopic = new LinkedHashMap<>();
        for (AlterReplicaLogDir dir : data.dirs()) {
            boolean known =
                    Path.of(dir.path()).toAbsolutePath().normalize().toString().equals(ours);
            Errors error = known ? Errors.NONE : Errors.LOG_DIR_NOT_FOUND;
            for (AlterReplicaLogDirTopic topic : dir.topics()) {
                AlterReplicaLogDirTopicResult result = byTopic.computeIfAbsent(
                        topic.name(), name -> new AlterReplicaLogDirTopicResult().setTopicName(name));
                for (int partition : topic.partitions()) {
                    result.partitions()
                            .add(new AlterReplicaLogDirPartitionResult()
                                    .setPartitionIndex(partition)
                                    .setErrorCode(error.code()));
                }
            }
        }
        return CompletableFuture.completedFuture(
                new ApiResponse(new AlterReplicaLogDirsResponseData().setResults(new ArrayList<>(byTopic.values()))));
    }
}
