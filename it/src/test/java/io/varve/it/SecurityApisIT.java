package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.DuplicateResourceException;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.SecurityDisabledException;
import org.apache.kafka.common.errors.UnacceptableCredentialException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security admin APIs through kafka-clients' Admin: SCRAM credentials (KIP-554) stored, listed,
 * refused with Kafka's errors and kept across a restart; the ACL APIs answered as Kafka without an
 * authorizer answers them (SECURITY_DISABLED). SASL authentication itself is not built.
 */
class SecurityApisIT {
    @TempDir
    static Path dataDir;

    private static VarveCluster cluster;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = VarveCluster.start(dataDir);
        admin = Clients.admin(cluster);
    }

    @AfterAll
    static void stop() {
        admin.close();
        cluster.close();
    }

    @Test
    void scramCredentialsAreStoredPerMechanismAndDescribedWithTheirIterations() throws Exception {
        admin.alterUserScramCredentials(List.of(
                        upsert("alice", ScramMechanism.SCRAM_SHA_256, 4096),
                        upsert("bob", ScramMechanism.SCRAM_SHA_512, 8192)))
                .all()
                .get();
        admin.alterUserScramCredentials(List.of(upsert("alice", ScramMechanism.SCRAM_SHA_512, 16384)))
                .all()
                .get();

        assertThat(iterations(admin.describeUserScramCredentials(List.of("alice", "bob"))
                        .all()
                        .get()))
                .isEqualTo(Map.of(
                        "alice", Map.of(ScramMechanism.SCRAM_SHA_256, 4096, ScramMechanism.SCRAM_SHA_512, 16384),
                        "bob", Map.of(ScramMechanism.SCRAM_SHA_512, 8192)));

        admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion("bob", ScramMechanism.SCRAM_SHA_512)))
                .all()
                .get();
        assertThatThrownBy(() -> admin.describeUserScramCredentials(List.of("bob"))
                        .description("bob")
                        .get())
                .hasCauseInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Attempt to describe a user credential that does not exist: bob");
        assertThat(admin.describeUserScramCredentials().users().get())
                .contains("alice")
                .doesNotContain("bob");
    }

    @Test
    void scramAlterationsAreRefusedWithKafkasErrors() throws Exception {
        assertRefused(
                upsert("carol", ScramMechanism.SCRAM_SHA_256, 1000),
                UnacceptableCredentialException.class,
                "Too few iterations");
        assertRefused(
                upsert("carol", ScramMechanism.SCRAM_SHA_256, 20_000),
                UnacceptableCredentialException.class,
                "Too many iterations");
        assertRefused(
                new UserScramCredentialDeletion("carol", ScramMechanism.SCRAM_SHA_256),
                ResourceNotFoundException.class,
                "Attempt to delete a user credential that does not exist");

        var twice = admin.alterUserScramCredentials(List.of(
                upsert("dave", ScramMechanism.SCRAM_SHA_256, 4096),
                upsert("dave", ScramMechanism.SCRAM_SHA_512, 4096)));
        assertThatThrownBy(() -> twice.values().get("dave").get())
                .hasCauseInstanceOf(DuplicateResourceException.class)
                .hasMessageContaining("A user credential cannot be altered twice in the same request");
        assertThatThrownBy(() -> admin.describeUserScramCredentials(List.of("carol", "carol"))
                        .all()
                        .get())
                .hasCauseInstanceOf(DuplicateResourceException.class);
    }

    @Test
    void scramCredentialsSurviveARestart() throws Exception {
        admin.alterUserScramCredentials(List.of(upsert("erin", ScramMechanism.SCRAM_SHA_256, 5000)))
                .all()
                .get();

        cluster.stopCleanly();
        cluster.startAgainOnSamePort();

        assertThat(iterations(admin.describeUserScramCredentials(List.of("erin"))
                        .all()
                        .get()))
                .isEqualTo(Map.of("erin", Map.of(ScramMechanism.SCRAM_SHA_256, 5000)));
    }

    @Test
    void aclApisAnswerAsKafkaWithoutAnAuthorizer() {
        AclBinding binding = new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, "orders", PatternType.LITERAL),
                new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));

        assertThatThrownBy(() -> admin.createAcls(List.of(binding)).all().get())
                .hasCauseInstanceOf(SecurityDisabledException.class)
                .hasMessageContaining("No Authorizer is configured.");
        assertThatThrownBy(
                        () -> admin.describeAcls(AclBindingFilter.ANY).values().get())
                .hasCauseInstanceOf(SecurityDisabledException.class)
                .hasMessageContaining("No Authorizer is configured on the broker");
        AclBindingFilter orders = new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.TOPIC, "orders", PatternType.LITERAL),
                AccessControlEntryFilter.ANY);
        assertThatThrownBy(() -> admin.deleteAcls(List.of(orders)).all().get())
                .hasCauseInstanceOf(SecurityDisabledException.class)
                .hasMessageContaining("No Authorizer is configured.");
    }

    private static void assertRefused(
            org.apache.kafka.clients.admin.UserScramCredentialAlteration alteration,
            Class<? extends Throwable> type,
            String message) {
        assertThatThrownBy(() -> admin.alterUserScramCredentials(List.of(alteration))
                        .all()
                        .get())
                .hasCauseInstanceOf(type)
                .cause()
                .hasMessage(message);
    }

    private static UserScramCredentialUpsertion upsert(String user, ScramMechanism mechanism, int iterations) {
        return new UserScramCredentialUpsertion(
                user, new ScramCredentialInfo(mechanism, iterations), "password-of-" + user);
    }

    private static Map<String, Map<ScramMechanism, Integer>> iterations(
            Map<String, UserScramCredentialsDescription> descriptions) {
        Map<String, Map<ScramMechanism, Integer>> byUser = new TreeMap<>();
        descriptions.forEach((user, description) -> {
            Map<ScramMechanism, Integer> byMechanism = new TreeMap<>();
            description.credentialInfos().forEach(info -> byMechanism.put(info.mechanism(), info.iterations()));
            byUser.put(user, byMechanism);
        });
        return byUser;
    }
}
