package io.varve.transport.api.admin.scram;

import io.varve.metadata.Controller;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.admin.AdminAsk;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsRequest;

/**
 * DescribeUserScramCredentials: each user's SCRAM mechanisms and iteration counts as the controller
 * stores them (never a key or salt). No users (null or empty) means every user; a user named twice is
 * answered DUPLICATE_RESOURCE and a user without credentials RESOURCE_NOT_FOUND, with Kafka's
 * messages. Stateless.
 */
public final class DescribeUserScramCredentialsHandler implements ApiHandler {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeUserScramCredentialsRequestData data = ((DescribeUserScramCredentialsRequest) request).data();
        BrokerServices services = context.services();
        CompletionStage<Controller.ScramCredentialInfos> asked =
                AdminAsk.ask(services.controller(), Controller.DescribeScramCredentials::new, services);
        return asked.handle((infos, failure) -> {
            if (failure != null) {
                ApiError error = AdminAsk.errorOf(failure, "the controller", services);
                return new ApiResponse(new DescribeUserScramCredentialsResponseData()
                        .setErrorCode(error.error().code())
                        .setErrorMessage(error.message()));
            }
            return new ApiResponse(describe(data.users(), infos.users()));
        });
    }

    static DescribeUserScramCredentialsResponseData describe(
            List<UserName> requested, Map<String, Map<Byte, Integer>> stored) {
        Map<String, Boolean> namedTwice = new LinkedHashMap<>();
        if (requested == null || requested.isEmpty()) {
            stored.keySet().forEach(user -> namedTwice.put(user, false));
        } else {
            requested.forEach(user -> namedTwice.merge(user.name(), false, (a, b) -> true));
        }
        DescribeUserScramCredentialsResponseData response = new DescribeUserScramCredentialsResponseData();
        namedTwice.forEach((user, twice) -> {
            DescribeUserScramCredentialsResult result = new DescribeUserScramCredentialsResult().setUser(user);
            Map<Byte, Integer> mechanisms = stored.getOrDefault(user, Map.of());
            if (twice) {
                result.setErrorCode(Errors.DUPLICATE_RESOURCE.code())
                        .setErrorMessage(
                                "Cannot describe SCRAM credentials for the same user twice in a single request: "
                                        + user);
            } else if (mechanisms.isEmpty()) {
                result.setErrorCode(Errors.RESOURCE_NOT_FOUND.code())
                        .setErrorMessage("Attempt to describe a user credential that does not exist: " + user);
            } else {
                new TreeMap<>(mechanisms).forEach((mechanism, iterations) -> result.credentialInfos()
                        .add(new CredentialInfo().setMechanism(mechanism).setIterations(iterations)));
            }
            response.results().add(result);
        });
        return response;
    }
}
