package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsResponse;

/**
 * DeleteTopics v1+: by name (a list of names up to v5, topic states from v6) and by id (v6), a
 * missing name UNKNOWN_TOPIC_OR_PARTITION, a missing id UNKNOWN_TOPIC_ID; deleted topics are gone.
 */
final class DeleteTopicsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String byName = name("delete", version);
        String byId = name("delete-id", version);
        sweep.createTopic(byName, 1);
        Uuid id = sweep.createTopic(byId, 1);
        String missing = name("delete-missing", version);

        DeleteTopicsRequestData request = new DeleteTopicsRequestData().setTimeoutMs(30_000);
        if (version >= 6) {
            request.setTopics(List.of(
                    new DeleteTopicState().setName(byName),
                    new DeleteTopicState().setName(null).setTopicId(id),
                    new DeleteTopicState().setName(missing),
                    new DeleteTopicState().setName(null).setTopicId(Uuid.randomUuid())));
        } else {
            request.setTopicNames(List.of(byName, missing));
        }
        DeleteTopicsResponse answer = sweep.client().send(ApiKeys.DELETE_TOPICS, version, request);
        List<String> results = new ArrayList<>();
        for (DeletableTopicResult result : answer.data().responses()) {
            String key =
                    result.name() != null ? result.name() : (result.topicId().equals(id) ? "by-id" : "unknown-id");
            results.add(key + "=" + Errors.forCode(result.errorCode()));
        }
        if (version >= 6) {
            assertThat(results)
                    .containsExactlyInAnyOrder(
                            byName + "=NONE",
                            byId + "=NONE",
                            missing + "=UNKNOWN_TOPIC_OR_PARTITION",
                            "unknown-id=UNKNOWN_TOPIC_ID");
        } else {
            assertThat(results).containsExactlyInAnyOrder(byName + "=NONE", missing + "=UNKNOWN_TOPIC_OR_PARTITION");
        }
        // at once on Varve; Kafka's brokers drop a deleted topic from their metadata a little later
        Conditions.awaitTrue(
                Duration.ofSeconds(15),
                () -> !sweep.admin().listTopics().names().get().contains(byName));
        assertThat(sweep.admin().listTopics().names().get()).doesNotContain(byName);
    }
}
