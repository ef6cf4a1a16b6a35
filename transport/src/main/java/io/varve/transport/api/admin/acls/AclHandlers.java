package io.varve.transport.api.admin.acls;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * CreateAcls, DescribeAcls and DeleteAcls as Apache Kafka answers them without an authorizer (Varve
 * has none): advertised, and every ACL, filter or request answered SECURITY_DISABLED with Kafka's
 * messages. A client then reports "security features are disabled", as against Kafka, instead of an
 * API the broker does not support. Stateless.
 */
public final class AclHandlers {
    static final String NO_AUTHORIZER = "No Authorizer is configured.";

    private AclHandlers() {}

    public static List<ApiHandler> list() {
        return List.of(new Refusing(ApiKeys.CREATE_ACLS), new Refusing(ApiKeys.DELETE_ACLS), new DescribeAcls());
    }

    /** CreateAcls and DeleteAcls: each creation or filter gets SECURITY_DISABLED ({@code getErrorResponse}). */
    private record Refusing(ApiKeys apiKey) implements ApiHandler {
        @Override
        public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
            return CompletableFuture.completedFuture(
                    new ApiResponse(request.getErrorResponse(0, new SecurityDisabledException(NO_AUTHORIZER))
                            .data()));
        }
    }

    /** DescribeAcls: the request-level error, with Kafka's own wording for this API. */
    private static final class DescribeAcls implements ApiHandler {
        @Override
        public ApiKeys apiKey() {
            return ApiKeys.DESCRIBE_ACLS;
        }

        @Override
        public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
            return CompletableFuture.completedFuture(new ApiResponse(new DescribeAclsResponseData()
                    .setErrorCode(Errors.SECURITY_DISABLED.code())
                    .setErrorMessage("No Authorizer is configured on the broker")));
        }
    }
}
