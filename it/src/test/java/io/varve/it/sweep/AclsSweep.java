package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsRequestData.AclCreation;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsRequestData.DeleteAclsFilter;
import org.apache.kafka.common.message.DescribeAclsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateAclsResponse;
import org.apache.kafka.common.requests.DeleteAclsResponse;
import org.apache.kafka.common.requests.DescribeAclsResponse;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * CreateAcls, DescribeAcls and DeleteAcls v1+ as Kafka without an authorizer answers them: every
 * creation and filter SECURITY_DISABLED "No Authorizer is configured.", DescribeAcls' request-level
 * SECURITY_DISABLED "No Authorizer is configured on the broker" with no resources.
 */
final class AclsSweep implements VersionScenario {
    private final ApiKeys key;

    AclsSweep(ApiKeys key) {
        this.key = key;
    }

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = SweepContext.name("acls", version);
        switch (key) {
            case CREATE_ACLS -> {
                CreateAclsResponse created = sweep.client()
                        .send(
                                key,
                                version,
                                new CreateAclsRequestData()
                                        .setCreations(
                                                List.of(creation(topic, "User:alice"), creation(topic, "User:bob"))));
                assertThat(created.data().results()).hasSize(2);
                created.data().results().forEach(result -> {
                    assertThat(Errors.forCode(result.errorCode())).isEqualTo(Errors.SECURITY_DISABLED);
                    assertThat(result.errorMessage()).isEqualTo("No Authorizer is configured.");
                });
            }
            case DESCRIBE_ACLS -> {
                DescribeAclsResponse described = sweep.client()
                        .send(
                                key,
                                version,
                                new DescribeAclsRequestData()
                                        .setResourceTypeFilter(ResourceType.ANY.code())
                                        .setPatternTypeFilter(PatternType.ANY.code())
                                        .setOperation(AclOperation.ANY.code())
                                        .setPermissionType(AclPermissionType.ANY.code()));
                assertThat(Errors.forCode(described.data().errorCode())).isEqualTo(Errors.SECURITY_DISABLED);
                assertThat(described.data().errorMessage()).isEqualTo("No Authorizer is configured on the broker");
                assertThat(described.data().resources()).isEmpty();
            }
            case DELETE_ACLS -> {
                DeleteAclsResponse deleted = sweep.client()
                        .send(
                                key,
                                version,
                                new DeleteAclsRequestData()
                                        .setFilters(List.of(new DeleteAclsFilter()
                                                .setResourceTypeFilter(ResourceType.TOPIC.code())
                                                .setResourceNameFilter(topic)
                                                .setPatternTypeFilter(PatternType.LITERAL.code())
                                                .setOperation(AclOperation.ANY.code())
                                                .setPermissionType(AclPermissionType.ANY.code()))));
                assertThat(deleted.data().filterResults()).hasSize(1);
                assertThat(Errors.forCode(deleted.data().filterResults().get(0).errorCode()))
                        .isEqualTo(Errors.SECURITY_DISABLED);
                assertThat(deleted.data().filterResults().get(0).errorMessage())
                        .isEqualTo("No Authorizer is configured.");
            }
            default -> throw new IllegalArgumentException("not an ACL API: " + key);
        }
    }

    private static AclCreation creation(String topic, String principal) {
        return new AclCreation()
                .setResourceType(ResourceType.TOPIC.code())
                .setResourceName(topic)
                .setResourcePatternType(PatternType.LITERAL.code())
                .setPrincipal(principal)
                .setHost("*")
                .setOperation(AclOperation.READ.code())
                .setPermissionType(AclPermissionType.ALLOW.code());
    }
}
