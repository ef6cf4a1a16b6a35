package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData.AlterReplicaLogDir;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopic;
import org.apache.kafka.common.message.AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopicCollection;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterReplicaLogDirsResponse;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;

/**
 * AlterReplicaLogDirs v1+ on a broker with one log directory (its path from DescribeLogDirs): a
 * replica "moved" to that directory is NONE (it is there already), one moved to a directory the
 * broker does not have is LOG_DIR_NOT_FOUND, as from Kafka.
 */
final class AlterReplicaLogDirsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("replica-log-dirs", version);
        sweep.createTopic(topic, 2);
        DescribeLogDirsResponse described = sweep.client()
                .send(ApiKeys.DESCRIBE_LOG_DIRS, (short) 1, new DescribeLogDirsRequestData().setTopics(null));
        String logDir = described.data().results().get(0).logDir();

        AlterReplicaLogDirsRequestData request = new AlterReplicaLogDirsRequestData();
        request.dirs().add(dir(logDir, topic, 0));
        request.dirs().add(dir(logDir + "-elsewhere", topic, 1));
        AlterReplicaLogDirsResponse answer = sweep.client().send(ApiKeys.ALTER_REPLICA_LOG_DIRS, version, request);

        List<String> results = new ArrayList<>();
        answer.data().results().forEach(t -> t.partitions()
                .forEach(p ->
                        results.add(t.topicName() + "-" + p.partitionIndex() + " " + Errors.forCode(p.errorCode()))));
        assertThat(results).containsExactlyInAnyOrder(topic + "-0 NONE", topic + "-1 LOG_DIR_NOT_FOUND");
    }

    private static AlterReplicaLogDir dir(String path, String topic, int partition) {
        AlterReplicaLogDirTopicCollection topics = new AlterReplicaLogDirTopicCollection();
        topics.add(new AlterReplicaLogDirTopic().setName(topic).setPartitions(List.of(partition)));
        return new AlterReplicaLogDir().setPath(path).setTopics(topics);
    }
}
