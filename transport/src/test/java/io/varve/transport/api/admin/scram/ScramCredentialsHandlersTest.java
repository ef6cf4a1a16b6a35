package io.varve.transport.api.admin.scram;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.metadata.ScramSecret;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.admin.AdminTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AlterUserScramCredentials and DescribeUserScramCredentials against a controller probe. */
class ScramCredentialsHandlersTest {
    private static final ActorTestKit KIT = ActorTestKit.create();

    private AdminTestContext ctx;

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void setUp() {
        ctx = new AdminTestContext(KIT, AdminTestContext.image().build());
    }

    @Test
    void alterSendsOnlyTheDerivedKeysToTheController() throws Exception {
        ScramFormatter formatter = new ScramFormatter(ScramMechanism.SCRAM_SHA_256);
        byte[] salt = formatter.secureRandomBytes();
        byte[] salted = formatter.saltedPassword("secret", salt, 4096);
        AlterUserScramCredentialsRequestData data = new AlterUserScramCredentialsRequestData()
                .setUpsertions(List.of(new ScramCredentialUpsertion()
                        .setName("alice")
                        .setMechanism((byte) 1)
                        .setIterations(4096)
                        .setSalt(salt)
                        .setSaltedPassword(salted)))
                .setDeletions(
                        List.of(new ScramCredentialDeletion().setName("bob").setMechanism((byte) 2)));
        CompletionStage<ApiResponse> answer = new AlterUserScramCredentialsHandler()
                .handle(
                        ctx.context(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, (short) 0),
                        new AlterUserScramCredentialsRequest.Builder(data).build((short) 0));

        Controller.AlterScramCredentials alter =
                ctx.controller.expectMessageClass(Controller.AlterScramCredentials.class);
        assertThat(alter.upsertions())
                .containsExactly(new Controller.ScramUpsertion(
                        "alice",
                        (byte) 1,
                        4096,
                        new ScramSecret(
                                salt, formatter.storedKey(formatter.clientKey(salted)), formatter.serverKey(salted))));
        assertThat(alter.deletions()).containsExactly(new Controller.ScramDeletion("bob", (byte) 2));
        alter.replyTo()
                .tell(new Controller.ScramAlterResults(List.of(
                        new Controller.ScramAlterResult("alice", Errors.NONE, null),
                        new Controller.ScramAlterResult(
                                "bob",
                                Errors.RESOURCE_NOT_FOUND,
                                "Attempt to delete a user credential that does not exist"))));

        AlterUserScramCredentialsResponseData response = body(answer);
        assertThat(response.results())
                .extracting(r -> r.user() + ":" + Errors.forCode(r.errorCode()))
                .containsExactly("alice:NONE", "bob:RESOURCE_NOT_FOUND");
    }

    @Test
    void anEmptySaltedPasswordIsAnsweredAsKafkaDoesWithoutStoringAnything() {
        AlterUserScramCredentialsRequestData data = new AlterUserScramCredentialsRequestData()
                .setUpsertions(List.of(new ScramCredentialUpsertion()
                        .setName("alice")
                        .setMechanism((byte) 1)
                        .setIterations(4096)
                        .setSalt(new byte[] {1})
                        .setSaltedPassword(new byte[0])));
        CompletionStage<ApiResponse> answer = new AlterUserScramCredentialsHandler()
                .handle(
                        ctx.context(ApiKeys.ALTER_USER_SCRAM_CREDENTIALS, (short) 0),
                        new AlterUserScramCredentialsRequest.Builder(data).build((short) 0));
        Controller.AlterScramCredentials alter =
                ctx.controller.expectMessageClass(Controller.AlterScramCredentials.class);
        assertThat(alter.upsertions()).isEmpty();
        alter.replyTo().tell(new Controller.ScramAlterResults(List.of()));

        AlterUserScramCredentialsResponseData response = body(answer);
        assertThat(response.results())
                .extracting(r -> r.user() + ":" + Errors.forCode(r.errorCode()))
                .containsExactly("alice:UNKNOWN_SERVER_ERROR");
    }

    @Test
    void describeNamesMissingAndDuplicateUsersAsKafkaDoes() {
        CompletionStage<ApiResponse> answer = describe(List.of("alice", "nobody", "twice", "twice"));
        ctx.controller
                .expectMessageClass(Controller.DescribeScramCredentials.class)
                .replyTo()
                .tell(new Controller.ScramCredentialInfos(
                        Map.of("alice", Map.of((byte) 1, 4096, (byte) 2, 8192), "twice", Map.of((byte) 1, 4096))));

        DescribeUserScramCredentialsResponseData response = body(answer);
        assertThat(response.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(response.results())
                .extracting(r -> r.user() + ":" + Errors.forCode(r.errorCode()) + ":" + r.errorMessage() + ":"
                        + r.credentialInfos().stream()
                                .map(i -> i.mechanism() + "/" + i.iterations())
                                .toList())
                .containsExactly(
                        "alice:NONE::[1/4096, 2/8192]",
                        "nobody:RESOURCE_NOT_FOUND:Attempt to describe a user credential that does not exist:"
                                + " nobody:[]",
                        "twice:DUPLICATE_RESOURCE:Cannot describe SCRAM credentials for the same user twice in a"
                                + " single request: twice:[]");
    }

    @Test
    void describeWithoutUsersListsEveryUser() {
        CompletionStage<ApiResponse> answer = describe(null);
        ctx.controller
                .expectMessageClass(Controller.DescribeScramCredentials.class)
                .replyTo()
                .tell(new Controller.ScramCredentialInfos(
                        Map.of("alice", Map.of((byte) 1, 4096), "bob", Map.of((byte) 2, 8192))));

        DescribeUserScramCredentialsResponseData response = body(answer);
        assertThat(response.results())
                .extracting(DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult::user)
                .containsExactlyInAnyOrder("alice", "bob");
    }

    private CompletionStage<ApiResponse> describe(List<String> users) {
        DescribeUserScramCredentialsRequestData data = new DescribeUserScramCredentialsRequestData()
                .setUsers(
                        users == null
                                ? null
                                : users.stream()
                                        .map(u -> new UserName().setName(u))
                                        .toList());
        return new DescribeUserScramCredentialsHandler()
                .handle(
                        ctx.context(ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS, (short) 0),
                        new DescribeUserScramCredentialsRequest.Builder(data).build((short) 0));
    }
}
