package io.varve.transport.api.admin.scram;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.ScramDeletion;
import io.varve.metadata.Controller.ScramUpsertion;
import io.varve.metadata.ScramSecret;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.admin.AdminAsk;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AlterUserScramCredentialsRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;

/**
 * AlterUserScramCredentials: the client sends a salt, an iteration count and the salted password;
 * this handler derives what a SCRAM server keeps (StoredKey, ServerKey: kafka-clients'
 * {@link ScramFormatter}) so the salted password goes no further, and the controller validates and
 * stores the alterations (Kafka's rules and error codes). SASL/SCRAM authentication itself is not
 * built: the credentials are stored and described only. Stateless.
 */
public final class AlterUserScramCredentialsHandler implements ApiHandler {
    private static final ScramSecret NO_SECRET = new ScramSecret(new byte[0], new byte[0], new byte[0]);

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        AlterUserScramCredentialsRequestData data = ((AlterUserScramCredentialsRequest) request).data();
        BrokerServices services = context.services();
        List<ScramUpsertion> upsertions = new ArrayList<>();
        List<AlterUserScramCredentialsResult> underivable = new ArrayList<>();
        for (ScramCredentialUpsertion upsertion : data.upsertions()) {
            try {
                upsertions.add(new ScramUpsertion(
                        upsertion.name(), upsertion.mechanism(), upsertion.iterations(), secretOf(upsertion)));
            } catch (IllegalArgumentException e) {
                // an empty salted password is no HMAC key: Kafka answers UNKNOWN_SERVER_ERROR with this message
                ApiError error = ApiError.fromThrowable(e);
                underivable.add(new AlterUserScramCredentialsResult()
                        .setUser(upsertion.name())
                        .setErrorCode(error.error().code())
                        .setErrorMessage(error.message()));
            }
        }
        List<ScramDeletion> deletions = data.deletions().stream()
                .map(d -> new ScramDeletion(d.name(), d.mechanism()))
                .toList();
        CompletionStage<Controller.ScramAlterResults> asked = AdminAsk.ask(
                services.controller(),
                replyTo -> new Controller.AlterScramCredentials(upsertions, deletions, replyTo),
                services);
        return asked.handle((results, failure) -> {
            AlterUserScramCredentialsResponseData response = new AlterUserScramCredentialsResponseData();
            if (failure != null) {
                ApiError error = AdminAsk.errorOf(failure, "the controller", services);
                for (String user : usersOf(data)) {
                    response.results()
                            .add(new AlterUserScramCredentialsResult()
                                    .setUser(user)
                                    .setErrorCode(error.error().code())
                                    .setErrorMessage(error.message()));
                }
                return new ApiResponse(response);
            }
            results.results().forEach(result -> response.results()
                    .add(new AlterUserScramCredentialsResult()
                            .setUser(result.user())
                            .setErrorCode(result.error().code())
                            .setErrorMessage(result.message())));
            response.results().addAll(underivable);
            return new ApiResponse(response);
        });
    }

    /** StoredKey and ServerKey of a known mechanism; nothing for one the controller will refuse. */
    private static ScramSecret secretOf(ScramCredentialUpsertion upsertion) {
        ScramMechanism mechanism = ScramMechanism.fromType(upsertion.mechanism());
        if (mechanism == ScramMechanism.UNKNOWN) {
            return NO_SECRET;
        }
        try {
            ScramFormatter formatter =
                    new ScramFormatter(org.apache.kafka.common.security.scram.internals.ScramMechanism.forMechanismName(
                            mechanism.mechanismName()));
            ScramCredential credential =
                    formatter.generateCredential(upsertion.salt(), upsertion.saltedPassword(), upsertion.iterations());
            return new ScramSecret(credential.salt(), credential.storedKey(), credential.serverKey());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM lacks " + mechanism.mechanismName() + "'s algorithms", e);
        }
    }

    private static Set<String> usersOf(AlterUserScramCredentialsRequestData data) {
        Set<String> users = new LinkedHashSet<>();
        data.deletions().forEach(d -> users.add(d.name()));
        data.upsertions().forEach(u -> users.add(u.name()));
        return users;
    }
}
