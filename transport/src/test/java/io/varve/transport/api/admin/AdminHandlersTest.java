package io.varve.transport.api.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.transport.api.ApiHandler;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class AdminHandlersTest {
    @Test
    void listsOneHandlerPerAdminApiKeyWithinKafkaClientsVersions() {
        List<ApiHandler> handlers = AdminHandlers.list(Path.of("/data"));

        assertThat(handlers)
                .extracting(ApiHandler::apiKey)
                .containsExactlyInAnyOrderElementsOf(EnumSet.of(
                        ApiKeys.CREATE_TOPICS,
                        ApiKeys.DELETE_TOPICS,
                        ApiKeys.CREATE_PARTITIONS,
                        ApiKeys.DESCRIBE_TOPIC_PARTITIONS,
                        ApiKeys.DESCRIBE_CONFIGS,
                        ApiKeys.ALTER_CONFIGS,
                        ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                        ApiKeys.DELETE_RECORDS,
                        ApiKeys.DESCRIBE_PRODUCERS,
                        ApiKeys.ELECT_LEADERS,
                        ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
                        ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                        ApiKeys.DESCRIBE_CLUSTER,
                        ApiKeys.DESCRIBE_LOG_DIRS,
                        ApiKeys.ALTER_REPLICA_LOG_DIRS,
                        ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
                        ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                        ApiKeys.CREATE_ACLS,
                        ApiKeys.DESCRIBE_ACLS,
                        ApiKeys.DELETE_ACLS));
        for (ApiHandler handler : handlers) {
            assertThat(handler.minVersion())
                    .as(handler.apiKey().name)
                    .isGreaterThanOrEqualTo(handler.apiKey().oldestVersion());
            assertThat(handler.maxVersion())
                    .as(handler.apiKey().name)
                    .isLessThanOrEqualTo(handler.apiKey().latestVersion());
            assertThat(handler.minVersion()).isLessThanOrEqualTo(handler.maxVersion());
        }
    }
}
