package io.varve.transport.api.admin;

import io.varve.metadata.ControllerSettings.LeaderBalanceSettings;
import io.varve.partition.cleaner.CleanerSettings;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.admin.acls.AclHandlers;
import io.varve.transport.api.admin.cluster.AlterReplicaLogDirsHandler;
import io.varve.transport.api.admin.cluster.DescribeClusterHandler;
import io.varve.transport.api.admin.cluster.DescribeLogDirsHandler;
import io.varve.transport.api.admin.configs.AlterConfigsHandler;
import io.varve.transport.api.admin.configs.DescribeConfigsHandler;
import io.varve.transport.api.admin.configs.IncrementalAlterConfigsHandler;
import io.varve.transport.api.admin.partitions.AlterPartitionReassignmentsHandler;
import io.varve.transport.api.admin.partitions.DeleteRecordsHandler;
import io.varve.transport.api.admin.partitions.DescribeProducersHandler;
import io.varve.transport.api.admin.partitions.ElectLeadersHandler;
import io.varve.transport.api.admin.partitions.ListPartitionReassignmentsHandler;
import io.varve.transport.api.admin.scram.AlterUserScramCredentialsHandler;
import io.varve.transport.api.admin.scram.DescribeUserScramCredentialsHandler;
import io.varve.transport.api.admin.topics.CreatePartitionsHandler;
import io.varve.transport.api.admin.topics.CreateTopicsHandler;
import io.varve.transport.api.admin.topics.DeleteTopicsHandler;
import io.varve.transport.api.admin.topics.DescribeTopicPartitionsHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The admin API handlers (topics, configs, cluster, log dirs, records, producers, leader elections,
 * partition reassignments, SCRAM credentials, ACLs as without an authorizer), for the node's
 * handler registry. Every handler is stateless and shared by all connections.
 */
public final class AdminHandlers {
    private AdminHandlers() {}

    /** @param logDir the node's data directory, reported by DescribeLogDirs and as {@code log.dirs} */
    public static List<ApiHandler> list(Path logDir) {
        return list(logDir, CleanerSettings.defaults());
    }

    /** @param cleaner the node's log cleaner settings, which DescribeConfigs reports */
    public static List<ApiHandler> list(Path logDir, CleanerSettings cleaner) {
        return list(logDir, cleaner, LeaderBalanceSettings.DEFAULTS);
    }

    /** @param leaderBalance the controller's automatic leader rebalancing, which DescribeConfigs reports */
    public static List<ApiHandler> list(Path logDir, CleanerSettings cleaner, LeaderBalanceSettings leaderBalance) {
        List<ApiHandler> handlers = new ArrayList<>(List.of(
                new CreateTopicsHandler(),
                new DeleteTopicsHandler(),
                new CreatePartitionsHandler(),
                new DescribeTopicPartitionsHandler(),
                new DescribeConfigsHandler(logDir, cleaner, leaderBalance),
                new AlterConfigsHandler(),
                new IncrementalAlterConfigsHandler(),
                new DeleteRecordsHandler(),
                new DescribeProducersHandler(),
                new ElectLeadersHandler(),
                new AlterPartitionReassignmentsHandler(),
                new ListPartitionReassignmentsHandler(),
                new DescribeClusterHandler(),
                new DescribeLogDirsHandler(logDir),
                new AlterReplicaLogDirsHandler(logDir),
                new DescribeUserScramCredentialsHandler(),
                new AlterUserScramCredentialsHandler()));
        handlers.addAll(AclHandlers.list());
        return List.copyOf(handlers);
    }
}
