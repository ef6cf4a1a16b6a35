package io.varve.it.sweep;

import static io.varve.it.sweep.SweepContext.name;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeGroupsResponse;

/**
 * DescribeGroups v0+: a Stable one-member group (protocol, member with client id and host, the
 * subscription and the synced assignment), the authorized operations from v3 when asked (no
 * authorizer: every group operation; for every group answered without error), and a group that does
 * not exist: "Dead" with NONE before v6,
 * GROUP_ID_NOT_FOUND with a message from v6 (KIP-1043).
 */
final class DescribeGroupsSweep implements VersionScenario {

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String topic = name("describe-groups-topic", version);
        Groups.Member member = Groups.joinAndSync(sweep, name("describe-groups", version), topic);
        String missing = name("describe-groups-none", version);
        DescribeGroupsRequestData request =
                new DescribeGroupsRequestData().setGroups(List.of(member.groupId(), missing));
        if (version >= 3) {
            request.setIncludeAuthorizedOperations(true);
        }
        DescribeGroupsResponse answer = sweep.client().send(ApiKeys.DESCRIBE_GROUPS, version, request);
        assertThat(answer.data().groups())
                .extracting(DescribedGroup::groupId)
                .containsExactlyInAnyOrder(member.groupId(), missing); // Kafka 4 answers v5+ in its own order

        DescribedGroup stable = group(answer, member.groupId());
        assertThat(Errors.forCode(stable.errorCode())).isEqualTo(Errors.NONE);
        assertThat(stable.groupState()).isEqualTo("Stable");
        assertThat(stable.protocolType()).isEqualTo(Groups.PROTOCOL_TYPE);
        assertThat(stable.protocolData()).isEqualTo(Groups.PROTOCOL);
        assertThat(stable.authorizedOperations()).isEqualTo(version >= 3 ? groupOperations() : Integer.MIN_VALUE);
        assertThat(stable.members()).hasSize(1);
        DescribedGroupMember described = stable.members().get(0);
        assertThat(described.memberId()).isEqualTo(member.memberId());
        assertThat(described.clientId()).isEqualTo("varve-sweep");
        assertThat(described.clientHost()).isEqualTo("/127.0.0.1");
        assertThat(described.memberMetadata()).isEqualTo(Groups.bytes(Groups.subscription(topic)));
        assertThat(described.memberAssignment()).isEqualTo(Groups.bytes(Groups.assignment(topic, 0)));

        DescribedGroup dead = group(answer, missing);
        assertThat(dead.groupState()).isEqualTo("Dead");
        assertThat(dead.members()).isEmpty();
        // Kafka reports the operations of every group answered without error, a Dead one too
        assertThat(dead.authorizedOperations())
                .isEqualTo(version >= 3 && version < 6 ? groupOperations() : Integer.MIN_VALUE);
        if (version >= 6) {
            assertThat(Errors.forCode(dead.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
            assertThat(dead.errorMessage()).isEqualTo("Group " + missing + " not found.");
        } else {
            assertThat(Errors.forCode(dead.errorCode())).isEqualTo(Errors.NONE);
        }
    }

    /** Kafka 4.3's answer without an authorizer: READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
    static int groupOperations() {
        return 3400;
    }

    private static DescribedGroup group(DescribeGroupsResponse answer, String groupId) {
        return answer.data().groups().stream()
                .filter(g -> g.groupId().equals(groupId))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no group " + groupId + " in " + answer.data()));
    }
}
