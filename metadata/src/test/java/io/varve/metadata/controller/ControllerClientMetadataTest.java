package io.varve.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.AlterScramCredentials;
import io.varve.metadata.Controller.DescribeGroupConfigs;
import io.varve.metadata.Controller.DescribeScramCredentials;
import io.varve.metadata.Controller.GroupConfigs;
import io.varve.metadata.Controller.OperationResult;
import io.varve.metadata.Controller.ReplaceGroupConfigs;
import io.varve.metadata.Controller.ScramAlterResult;
import io.varve.metadata.Controller.ScramAlterResults;
import io.varve.metadata.Controller.ScramCredentialInfos;
import io.varve.metadata.Controller.ScramDeletion;
import io.varve.metadata.Controller.ScramUpsertion;
import io.varve.metadata.ScramSecret;
import io.varve.metadata.controller.ControllerEvent.GroupConfigsReplaced;
import io.varve.metadata.controller.ControllerEvent.ScramCredentialRemoved;
import io.varve.metadata.controller.ControllerEvent.ScramCredentialUpserted;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Group configs and SCRAM credentials: what is stored, Kafka's error codes, recovery. */
@ExtendWith(LogCapturingExtension.class)
class ControllerClientMetadataTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(ControllerTestKit.config());
    private static final byte SHA_256 = 1;
    private static final byte SHA_512 = 2;
    private static final ScramSecret SECRET = new ScramSecret(new byte[] {1, 2, 3}, new byte[] {4}, new byte[] {5});

    private EventSourcedBehaviorTestKit<Controller.Command, ControllerEvent, ControllerState> controller;

    @BeforeEach
    void start() {
        controller = ControllerTestKit.create(TEST_KIT.system());
        controller.clear();
    }

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void storesGroupConfigsOfAnyGroupAndRemovesThemWhenEmpty() {
        Map<String, String> configs = Map.of("consumer.session.timeout.ms", "50000");
        var set = controller.<OperationResult>runCommand(r -> new ReplaceGroupConfigs("g", configs, false, r));
        assertThat(set.reply()).isEqualTo(new OperationResult(Errors.NONE, null));
        assertThat(set.events()).containsExactly(new GroupConfigsReplaced("g", configs));
        assertThat(describe("g")).isEqualTo(new GroupConfigs("g", configs));
        assertThat(describe("other")).isEqualTo(new GroupConfigs("other", Map.of()));
        long offset = controller.getState().image().offset();

        var same = controller.<OperationResult>runCommand(r -> new ReplaceGroupConfigs("g", configs, false, r));
        assertThat(same.hasNoEvents()).isTrue();
        var validateOnly = controller.<OperationResult>runCommand(r -> new ReplaceGroupConfigs("g", Map.of(), true, r));
        assertThat(validateOnly.hasNoEvents()).isTrue();
        assertThat(validateOnly.reply().error()).isEqualTo(Errors.NONE);

        var removed = controller.<OperationResult>runCommand(r -> new ReplaceGroupConfigs("g", Map.of(), false, r));
        assertThat(removed.events()).containsExactly(new GroupConfigsReplaced("g", Map.of()));
        assertThat(removed.state().clients().groupConfigs()).isEmpty();
        // every event advances the image's offset, as every metadata record does
        assertThat(removed.state().image().offset()).isEqualTo(offset + 1);
    }

    @Test
    void upsertsAndDeletesScramCredentialsKeepingOnlyDerivedKeys() {
        var upserted = alter(
                List.of(
                        new ScramUpsertion("alice", SHA_256, 4096, SECRET),
                        new ScramUpsertion("bob", SHA_512, 8192, SECRET)),
                List.of());
        assertThat(upserted.reply().results())
                .containsExactlyInAnyOrder(
                        new ScramAlterResult("alice", Errors.NONE, null),
                        new ScramAlterResult("bob", Errors.NONE, null));
        assertThat(upserted.events())
                .containsExactly(
                        new ScramCredentialUpserted("alice", SHA_256, 4096, SECRET),
                        new ScramCredentialUpserted("bob", SHA_512, 8192, SECRET));
        alter(List.of(new ScramUpsertion("alice", SHA_512, 16384, SECRET)), List.of());

        assertThat(infos().users())
                .isEqualTo(Map.of("alice", Map.of(SHA_256, 4096, SHA_512, 16384), "bob", Map.of(SHA_512, 8192)));

        var deleted = alter(List.of(), List.of(new ScramDeletion("bob", SHA_512)));
        assertThat(deleted.reply().results()).containsExactly(new ScramAlterResult("bob", Errors.NONE, null));
        assertThat(deleted.events()).containsExactly(new ScramCredentialRemoved("bob", SHA_512));
        assertThat(infos().users()).isEqualTo(Map.of("alice", Map.of(SHA_256, 4096, SHA_512, 16384)));
    }

    @Test
    void refusesScramAlterationsWithKafkasErrors() {
        alter(List.of(new ScramUpsertion("alice", SHA_256, 4096, SECRET)), List.of());

        var refused = alter(
                List.of(
                        new ScramUpsertion("few", SHA_256, 4095, SECRET),
                        new ScramUpsertion("many", SHA_512, 16385, SECRET),
                        new ScramUpsertion("", SHA_256, 4096, SECRET),
                        new ScramUpsertion("odd", (byte) 3, 4096, SECRET),
                        new ScramUpsertion("twice", SHA_256, 4096, SECRET),
                        new ScramUpsertion("twice", SHA_512, 4096, SECRET),
                        new ScramUpsertion("alice", SHA_512, 4096, SECRET)),
                List.of(new ScramDeletion("carol", SHA_256), new ScramDeletion("alice", SHA_256)));

        assertThat(refused.hasNoEvents()).isTrue();
        assertThat(refused.reply().results())
                .containsExactlyInAnyOrder(
                        new ScramAlterResult("few", Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations"),
                        new ScramAlterResult("many", Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations"),
                        new ScramAlterResult("", Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty"),
                        new ScramAlterResult("odd", Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism"),
                        new ScramAlterResult(
                                "twice",
                                Errors.DUPLICATE_RESOURCE,
                                "A user credential cannot be altered twice in the same request"),
                        new ScramAlterResult(
                                "carol",
                                Errors.RESOURCE_NOT_FOUND,
                                "Attempt to delete a user credential that does not exist"),
                        new ScramAlterResult(
                                "alice",
                                Errors.DUPLICATE_RESOURCE,
                                "A user credential cannot be altered twice in the same request"));
        assertThat(infos().users()).isEqualTo(Map.of("alice", Map.of(SHA_256, 4096)));
    }

    @Test
    void groupConfigsAndCredentialsSurviveARestart() {
        controller.<OperationResult>runCommand(
                r -> new ReplaceGroupConfigs("g", Map.of("share.isolation.level", "read_committed"), false, r));
        alter(List.of(new ScramUpsertion("alice", SHA_256, 4096, SECRET)), List.of());

        ControllerState after = controller.restart().state();

        assertThat(after.clients().groupConfigs("g")).isEqualTo(Map.of("share.isolation.level", "read_committed"));
        assertThat(after.clients().scramCredentials("alice"))
                .isEqualTo(Map.of(SHA_256, new ClientMetadata.ScramCredential(SECRET, 4096)));
    }

    private GroupConfigs describe(String group) {
        return controller
                .<GroupConfigs>runCommand(r -> new DescribeGroupConfigs(group, r))
                .reply();
    }

    private ScramCredentialInfos infos() {
        return controller
                .<ScramCredentialInfos>runCommand(DescribeScramCredentials::new)
                .reply();
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<
                    Controller.Command, ControllerEvent, ControllerState, ScramAlterResults>
            alter(List<ScramUpsertion> upsertions, List<ScramDeletion> deletions) {
        return controller.runCommand(r -> new AlterScramCredentials(upsertions, deletions, r));
    }
}
