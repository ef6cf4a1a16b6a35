package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.VarveNodeExtension;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The version sweep: for every API key and every version the node's ApiVersions advertises, a
 * realistic request of that version (kafka-clients' {@code *RequestData}, the fields a client of
 * that era sets) goes through the node's real listener, and the answer must decode at that version,
 * carry no UNKNOWN_SERVER_ERROR, and hold the exact results and error codes Kafka gives at that
 * version (see each {@link VersionScenario}). The list comes from ApiVersions itself, so a newly
 * advertised key or version without a scenario fails the sweep, and the last test proves every
 * advertised (key, version) was answered.
 */
class ApiVersionSweepIT {
    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension(Map.of("varve.group.initial-rebalance-delay", "0ms"));

    /**
     * {@code -Dsweep.bootstrap=host:port} runs the same scenarios against another broker (an Apache
     * Kafka 4.x with {@code group.initial.rebalance.delay.ms=0}), to check the expectations against
     * Kafka itself; by default they run against the in-process Varve node.
     */
    private static final String EXTERNAL = System.getProperty("sweep.bootstrap", "");

    private final Coverage coverage = new Coverage();
    private static Admin externalAdmin;

    @AfterAll
    static void closeExternalAdmin() {
        if (externalAdmin != null) {
            externalAdmin.close();
        }
    }

    private static String bootstrap() {
        return EXTERNAL.isEmpty() ? node.cluster().bootstrapServers() : EXTERNAL;
    }

    private static Admin admin() {
        if (EXTERNAL.isEmpty()) {
            return node.admin();
        }
        if (externalAdmin == null) {
            externalAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, EXTERNAL));
        }
        return externalAdmin;
    }

    @TestFactory
    List<DynamicTest> everyAdvertisedVersionOfEveryApi() throws Exception {
        Map<ApiKeys, short[]> advertised = advertised();
        Map<ApiKeys, VersionScenario> scenarios = scenarios(advertised);
        List<DynamicTest> tests = new ArrayList<>();
        Map<ApiKeys, Set<Short>> expected = new TreeMap<>();
        advertised.forEach((key, range) -> {
            VersionScenario scenario = scenarios.get(key);
            for (short version = range[0]; version <= range[1]; version++) {
                short v = version;
                expected.computeIfAbsent(key, k -> new TreeSet<>()).add(v);
                tests.add(DynamicTest.dynamicTest(key + " v" + v, () -> {
                    assertThat(scenario)
                            .as("a sweep scenario for advertised %s", key)
                            .isNotNull();
                    try (SweepContext sweep = SweepContext.open(bootstrap(), admin(), coverage)) {
                        scenario.run(sweep, v);
                    } catch (AssertionError | Exception e) {
                        // the report names dynamic tests by index only: say which one failed
                        throw new AssertionError(key + " v" + v + ": " + e.getMessage(), e);
                    }
                }));
            }
        });
        tests.add(
                DynamicTest.dynamicTest("every advertised version was answered", () -> assertThat(coverage.exercised())
                        .isEqualTo(expected)));
        return tests;
    }

    private Map<ApiKeys, short[]> advertised() throws Exception {
        try (SweepContext sweep = SweepContext.open(bootstrap(), admin(), new Coverage())) {
            ApiVersionsResponse answer = sweep.client()
                    .send(
                            ApiKeys.API_VERSIONS,
                            (short) 3, // every 4.x broker answers v3; the newest falls back to v0 on older ones
                            new ApiVersionsRequestData()
                                    .setClientSoftwareName("varve-sweep")
                                    .setClientSoftwareVersion("1.0.0"));
            Map<ApiKeys, short[]> ranges = new EnumMap<>(ApiKeys.class);
            for (ApiVersion key : answer.data().apiKeys()) {
                ranges.put(ApiKeys.forId(key.apiKey()), new short[] {key.minVersion(), key.maxVersion()});
            }
            awaitCoordinators(sweep);
            return ranges;
        }
    }

    /**
     * Varve's coordinators answer from the start; Kafka creates its internal topics on first use and
     * answers COORDINATOR_NOT_AVAILABLE / COORDINATOR_LOAD_IN_PROGRESS until then, which clients retry.
     */
    private static void awaitCoordinators(SweepContext sweep) throws InterruptedException {
        boolean groups = Conditions.awaitTrue(Duration.ofSeconds(60), () -> {
            FindCoordinatorResponse found = sweep.client()
                    .send(
                            ApiKeys.FIND_COORDINATOR,
                            (short) 4,
                            new FindCoordinatorRequestData()
                                    .setKeyType(FindCoordinatorRequest.CoordinatorType.GROUP.id())
                                    .setCoordinatorKeys(List.of("sweep-warm-up")));
            return found.data().coordinators().get(0).errorCode() == Errors.NONE.code();
        });
        boolean producerIds = Conditions.awaitTrue(Duration.ofSeconds(60), () -> {
            InitProducerIdResponse init = sweep.client()
                    .send(
                            ApiKeys.INIT_PRODUCER_ID,
                            (short) 4,
                            new InitProducerIdRequestData()
                                    .setTransactionalId(null)
                                    .setTransactionTimeoutMs(60_000));
            return init.error() == Errors.NONE;
        });
        assertThat(groups && producerIds)
                .as("the group coordinator and producer ids answer")
                .isTrue();
    }

    private static Map<ApiKeys, VersionScenario> scenarios(Map<ApiKeys, short[]> advertised) {
        Map<Short, String> ranges = new TreeMap<>();
        advertised.forEach((key, range) -> ranges.put(key.id, range[0] + "-" + range[1]));
        Map<ApiKeys, VersionScenario> scenarios = new EnumMap<>(ApiKeys.class);
        scenarios.put(ApiKeys.API_VERSIONS, new ApiVersionsSweep(ranges));
        scenarios.put(ApiKeys.PRODUCE, new ProduceSweep());
        scenarios.put(ApiKeys.FETCH, new FetchSweep());
        scenarios.put(ApiKeys.LIST_OFFSETS, new ListOffsetsSweep());
        scenarios.put(ApiKeys.OFFSET_FOR_LEADER_EPOCH, new OffsetForLeaderEpochSweep());
        scenarios.put(ApiKeys.METADATA, new MetadataSweep());
        scenarios.put(ApiKeys.INIT_PRODUCER_ID, new InitProducerIdSweep());
        scenarios.put(ApiKeys.FIND_COORDINATOR, new FindCoordinatorSweep());
        scenarios.put(ApiKeys.JOIN_GROUP, new JoinGroupSweep());
        scenarios.put(ApiKeys.SYNC_GROUP, new SyncGroupSweep());
        scenarios.put(ApiKeys.HEARTBEAT, new HeartbeatSweep());
        scenarios.put(ApiKeys.LEAVE_GROUP, new LeaveGroupSweep());
        scenarios.put(ApiKeys.OFFSET_COMMIT, new OffsetCommitSweep());
        scenarios.put(ApiKeys.OFFSET_FETCH, new OffsetFetchSweep());
        scenarios.put(ApiKeys.DESCRIBE_GROUPS, new DescribeGroupsSweep());
        scenarios.put(ApiKeys.LIST_GROUPS, new ListGroupsSweep());
        scenarios.put(ApiKeys.DELETE_GROUPS, new DeleteGroupsSweep());
        scenarios.put(ApiKeys.OFFSET_DELETE, new OffsetDeleteSweep());
        scenarios.put(ApiKeys.CREATE_TOPICS, new CreateTopicsSweep());
        scenarios.put(ApiKeys.DELETE_TOPICS, new DeleteTopicsSweep());
        scenarios.put(ApiKeys.CREATE_PARTITIONS, new CreatePartitionsSweep());
        scenarios.put(ApiKeys.DELETE_RECORDS, new DeleteRecordsSweep());
        scenarios.put(ApiKeys.DESCRIBE_CLUSTER, new DescribeClusterSweep());
        scenarios.put(ApiKeys.DESCRIBE_LOG_DIRS, new DescribeLogDirsSweep());
        scenarios.put(ApiKeys.ALTER_REPLICA_LOG_DIRS, new AlterReplicaLogDirsSweep());
        scenarios.put(ApiKeys.DESCRIBE_PRODUCERS, new DescribeProducersSweep());
        scenarios.put(ApiKeys.ELECT_LEADERS, new ElectLeadersSweep());
        scenarios.put(
                ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
                new PartitionReassignmentsSweep(ApiKeys.ALTER_PARTITION_REASSIGNMENTS));
        scenarios.put(
                ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                new PartitionReassignmentsSweep(ApiKeys.LIST_PARTITION_REASSIGNMENTS));
        scenarios.put(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, new DescribeTopicPartitionsSweep());
        scenarios.put(ApiKeys.DESCRIBE_CONFIGS, new DescribeConfigsSweep());
        scenarios.put(ApiKeys.ALTER_CONFIGS, new AlterConfigsSweep());
        scenarios.put(ApiKeys.INCREMENTAL_ALTER_CONFIGS, new IncrementalAlterConfigsSweep());
        scenarios.put(ApiKeys.ADD_PARTITIONS_TO_TXN, new AddPartitionsToTxnSweep());
        scenarios.put(ApiKeys.ADD_OFFSETS_TO_TXN, new AddOffsetsToTxnSweep());
        scenarios.put(ApiKeys.END_TXN, new EndTxnSweep());
        scenarios.put(ApiKeys.WRITE_TXN_MARKERS, new WriteTxnMarkersSweep());
        scenarios.put(ApiKeys.TXN_OFFSET_COMMIT, new TxnOffsetCommitSweep());
        scenarios.put(ApiKeys.DESCRIBE_TRANSACTIONS, new DescribeTransactionsSweep());
        scenarios.put(ApiKeys.LIST_TRANSACTIONS, new ListTransactionsSweep());
        scenarios.put(ApiKeys.CREATE_ACLS, new AclsSweep(ApiKeys.CREATE_ACLS));
        scenarios.put(ApiKeys.DESCRIBE_ACLS, new AclsSweep(ApiKeys.DESCRIBE_ACLS));
        scenarios.put(ApiKeys.DELETE_ACLS, new AclsSweep(ApiKeys.DELETE_ACLS));
        scenarios.put(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, new ScramCredentialsSweep("describe"));
        scenarios.put(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, new ScramCredentialsSweep("alter"));
        return scenarios;
    }
}
