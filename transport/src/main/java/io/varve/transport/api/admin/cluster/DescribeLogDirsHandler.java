package io.varve.transport.api.admin.cluster;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.TopicImage;
import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.admin.AdminAsk;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;

/**
 * DescribeLogDirs: this node's one data directory with every hosted partition asked for (all when
 * {@code topics} is null): its size and offset lag ({@code max(highWatermark - logEndOffset, 0)},
 * Kafka's, 0 on a leader), from each partition's {@code DescribeLog}. v4+ adds the file store's
 * total and usable bytes. Partitions that do not answer in time or are offline are left out.
 */
public final class DescribeLogDirsHandler implements ApiHandler {
    private final Path logDir;

    public DescribeLogDirsHandler(Path logDir) {
        this.logDir = logDir;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_LOG_DIRS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeLogDirsRequestData data = ((DescribeLogDirsRequest) request).data();
        BrokerServices services = context.services();
        List<CompletableFuture<Optional<PartitionActor.LogDescription>>> asked = new ArrayList<>();
        for (TopicPartition tp : requested(data, services.metadata().image())) {
            services.partitions()
                    .lookup(tp)
                    .ifPresent(
                            partition -> asked.add(AdminAsk.<PartitionActor.Command, PartitionActor.LogDescription>ask(
                                            partition, PartitionActor.DescribeLog::new, services)
                                    .thenApply(Optional::of)
                                    .exceptionally(failure -> Optional.empty())
                                    .toCompletableFuture()));
        }
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<PartitionActor.LogDescription> logs = new ArrayList<>();
            asked.forEach(answer -> answer.join().filter(log -> !log.offline()).ifPresent(logs::add));
            return new ApiResponse(new DescribeLogDirsResponseData()
                    .setErrorCode(Errors.NONE.code())
                    .setResults(List.of(describe(logs))));
        });
    }

    private static List<TopicPartition> requested(DescribeLogDirsRequestData data, MetadataImage image) {
        List<TopicPartition> tps = new ArrayList<>();
        if (data.topics() == null) {
            for (TopicImage topic : image.topicsByName().values()) {
                topic.partitions().keySet().forEach(p -> tps.add(new TopicPartition(topic.name(), p)));
            }
        } else {
            for (DescribableLogDirTopic topic : data.topics()) {
                topic.partitions().forEach(p -> tps.add(new TopicPartition(topic.topic(), p)));
            }
        }
        return tps;
    }

    private DescribeLogDirsResult describe(List<PartitionActor.LogDescription> logs) {
        Map<String, DescribeLogDirsTopic> topics = new LinkedHashMap<>();
        for (PartitionActor.LogDescription log : logs) {
            topics.computeIfAbsent(log.tp().topic(), name -> new DescribeLogDirsTopic().setName(name))
                    .partitions()
                    .add(new DescribeLogDirsPartition()
                            .setPartitionIndex(log.tp().partition())
                            .setPartitionSize(log.sizeBytes())
                            .setOffsetLag(Math.max(log.highWatermark() - log.logEndOffset(), 0))
                            .setIsFutureKey(false));
        }
        DescribeLogDirsResult result = new DescribeLogDirsResult()
                .setErrorCode(Errors.NONE.code())
                .setLogDir(logDir.toString())
                .setTopics(new ArrayList<>(topics.values()));
        // statvfs on the directory: a metadata call answered from the kernel, not a disk read.
        try {
            FileStore store = Files.getFileStore(logDir);
            result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
        } catch (IOException e) {
            result.setTotalBytes(-1).setUsableBytes(-1);
        }
        return result;
    }
}
