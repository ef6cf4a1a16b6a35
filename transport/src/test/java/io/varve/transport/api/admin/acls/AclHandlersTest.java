package io.varve.transport.api.admin.acls;

import static io.varve.transport.api.admin.AdminTestContext.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.admin.AdminTestContext;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateAclsRequest;
import org.apache.kafka.common.requests.DeleteAclsRequest;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The ACL APIs answer as Kafka without an authorizer: SECURITY_DISABLED everywhere, Kafka's messages. */
class AclHandlersTest {
    private static final ActorTestKit KIT = ActorTestKit.create();
    private final AdminTestContext ctx =
            new AdminTestContext(KIT, AdminTestContext.image().build());
    private final Map<ApiKeys, ApiHandler> handlers =
            AclHandlers.list().stream().collect(Collectors.toMap(ApiHandler::apiKey, Function.identity()));

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    @Test
    void everyCreationIsRefused() {
        CreateAclsRequestData data =
                new CreateAclsRequestData().setCreations(List.of(creation("User:alice"), creation("User:bob")));
        CreateAclsResponseData response = body(handlers.get(ApiKeys.CREATE_ACLS)
                .handle(ctx.context(ApiKeys.CREATE_ACLS, (short) 3), new CreateAclsRequest.Builder(data).build((short)
                                3)));

        assertThat(response.results())
                .extracting(r -> Errors.forCode(r.errorCode()) + ":" + r.errorMessage())
                .containsExactly(
                        "SECURITY_DISABLED:No Authorizer is configured.",
                        "SECURITY_DISABLED:No Authorizer is configured.");
    }

    @Test
    void describeIsRefusedAsAWhole() {
        DescribeAclsResponseData response = body(handlers.get(ApiKeys.DESCRIBE_ACLS)
                .handle(
                        ctx.context(ApiKeys.DESCRIBE_ACLS, (short) 3),
                        new DescribeAclsRequest.Builder(AclBindingFilter.ANY).build((short) 3)));

        assertThat(Errors.forCode(response.errorCode())).isEqualTo(Errors.SECURITY_DISABLED);
        assertThat(response.errorMessage()).isEqualTo("No Authorizer is configured on the broker");
        assertThat(response.resources()).isEmpty();
    }

    @Test
    void everyDeletionFilterIsRefused() {
        DeleteAclsRequestData data = new DeleteAclsRequestData()
                .setFilters(List.of(new DeleteAclsRequestData.DeleteAclsFilter()
                        .setResourceTypeFilter((byte) 2)
                        .setResourceNameFilter("orders")
                        .setPatternTypeFilter((byte) 3)
                        .setOperation((byte) 1)
                        .setPermissionType((byte) 1)));
        DeleteAclsResponseData response = body(handlers.get(ApiKeys.DELETE_ACLS)
                .handle(ctx.context(ApiKeys.DELETE_ACLS, (short) 3), new DeleteAclsRequest.Builder(data).build((short)
                                3)));

        assertThat(response.filterResults())
                .extracting(r -> Errors.forCode(r.errorCode()) + ":" + r.errorMessage())
                .containsExactly("SECURITY_DISABLED:No Authorizer is configured.");
    }

    private static CreateAclsRequestData.AclCreation creation(String principal) {
        return new CreateAclsRequestData.AclCreation()
                .setResourceType((byte) 2)
                .setResourceName("orders")
                .setResourcePatternType((byte) 3)
                .setPrincipal(principal)
                .setHost("*")
                .setOperation((byte) 3)
                .setPermissionType((byte) 3);
    }
}
