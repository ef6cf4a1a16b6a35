package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialDeletion;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData.ScramCredentialUpsertion;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData;
import org.apache.kafka.common.message.DescribeUserScramCredentialsRequestData.UserName;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.CredentialInfo;
import org.apache.kafka.common.message.DescribeUserScramCredentialsResponseData.DescribeUserScramCredentialsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterUserScramCredentialsResponse;
import org.apache.kafka.common.requests.DescribeUserScramCredentialsResponse;
import org.apache.kafka.common.security.scram.internals.ScramFormatter;

/**
 * AlterUserScramCredentials and DescribeUserScramCredentials v0 (the key under test alters or
 * describes; the other API checks it): a credential per mechanism stored and described with its
 * iterations; Kafka's errors: RESOURCE_NOT_FOUND (delete or describe a missing credential),
 * UNACCEPTABLE_CREDENTIAL (too few or too many iterations, empty name), UNSUPPORTED_SASL_MECHANISM,
 * DUPLICATE_RESOURCE (a user altered or described twice in one request).
 */
final class ScramCredentialsSweep implements VersionScenario {
    private static final byte SHA_256 = ScramMechanism.SCRAM_SHA_256.type();
    private static final byte SHA_512 = ScramMechanism.SCRAM_SHA_512.type();

    private final String label;

    /** @param label what tells this scenario's users apart (it runs once per SCRAM API key) */
    ScramCredentialsSweep(String label) {
        this.label = label;
    }

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        String user = SweepContext.name("scram-" + label, version);
        Map<String, Errors> upserted = alter(
                sweep,
                version,
                List.of(upsertion(user, SHA_256, 4096), upsertion(user + "-512", SHA_512, 8192)),
                List.of());
        assertThat(upserted).isEqualTo(Map.of(user, Errors.NONE, user + "-512", Errors.NONE));
        assertThat(alter(sweep, version, List.of(upsertion(user, SHA_512, 10_000)), List.of()))
                .isEqualTo(Map.of(user, Errors.NONE));

        Map<String, DescribeUserScramCredentialsResult> described =
                describe(sweep, version, user, "nobody", "twice", "twice");
        assertThat(Errors.forCode(described.get(user).errorCode())).isEqualTo(Errors.NONE);
        assertThat(iterations(described.get(user))).isEqualTo(Map.of(SHA_256, 4096, SHA_512, 10_000));
        assertThat(Errors.forCode(described.get("nobody").errorCode())).isEqualTo(Errors.RESOURCE_NOT_FOUND);
        assertThat(described.get("nobody").errorMessage())
                .isEqualTo("Attempt to describe a user credential that does not exist: nobody");
        assertThat(Errors.forCode(described.get("twice").errorCode())).isEqualTo(Errors.DUPLICATE_RESOURCE);

        Map<String, Errors> refused = alter(
                sweep,
                version,
                List.of(
                        upsertion("few-" + user, SHA_256, 4095),
                        upsertion("many-" + user, SHA_256, 16_385),
                        upsertion("", SHA_256, 4096),
                        upsertion("odd-" + user, (byte) 0, 4096),
                        upsertion(user, SHA_256, 8192)),
                List.of(
                        new ScramCredentialDeletion().setName("missing-" + user).setMechanism(SHA_256),
                        new ScramCredentialDeletion().setName(user).setMechanism(SHA_256)));
        Map<String, Errors> expected = new TreeMap<>();
        expected.put("few-" + user, Errors.UNACCEPTABLE_CREDENTIAL);
        expected.put("many-" + user, Errors.UNACCEPTABLE_CREDENTIAL);
        expected.put("", Errors.UNACCEPTABLE_CREDENTIAL);
        expected.put("odd-" + user, Errors.UNSUPPORTED_SASL_MECHANISM);
        expected.put("missing-" + user, Errors.RESOURCE_NOT_FOUND);
        expected.put(user, Errors.DUPLICATE_RESOURCE);
        assertThat(refused).isEqualTo(expected);

        assertThat(alter(
                        sweep,
                        version,
                        List.of(),
                        List.of(
                                new ScramCredentialDeletion().setName(user).setMechanism(SHA_256),
                                new ScramCredentialDeletion()
                                        .setName(user + "-512")
                                        .setMechanism(SHA_512))))
                .isEqualTo(Map.of(user, Errors.NONE, user + "-512", Errors.NONE));
        Map<String, DescribeUserScramCredentialsResult> after = describe(sweep, version, user, user + "-512");
        assertThat(iterations(after.get(user))).isEqualTo(Map.of(SHA_512, 10_000));
        assertThat(Errors.forCode(after.get(user + "-512").errorCode())).isEqualTo(Errors.RESOURCE_NOT_FOUND);
    }

    /** A client's upsertion: a random salt and the password salted with it, as kafka-clients' Admin sends. */
    private static ScramCredentialUpsertion upsertion(String user, byte mechanism, int iterations) throws Exception {
        byte[] salt = ScramFormatter.secureRandomBytes(new java.security.SecureRandom());
        ScramMechanism known = ScramMechanism.fromType(mechanism);
        byte[] salted = known == ScramMechanism.UNKNOWN
                ? new byte[] {1}
                : new ScramFormatter(org.apache.kafka.common.security.scram.internals.ScramMechanism.forMechanismName(
                                known.mechanismName()))
                        .saltedPassword("secret-of-" + user, salt, Math.max(iterations, 1));
        return new ScramCredentialUpsertion()
                .setName(user)
                .setMechanism(mechanism)
                .setIterations(iterations)
                .setSalt(salt)
                .setSaltedPassword(salted);
    }

    private static Map<String, Errors> alter(
            SweepContext sweep,
            short version,
            List<ScramCredentialUpsertion> upsertions,
            List<ScramCredentialDeletion> deletions)
            throws Exception {
        AlterUserScramCredentialsResponse answer = sweep.client()
                .send(
                        ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
                        version,
                        new AlterUserScramCredentialsRequestData()
                                .setUpsertions(upsertions)
                                .setDeletions(deletions));
        Map<String, Errors> errors = new TreeMap<>();
        for (AlterUserScramCredentialsResult result : answer.data().results()) {
            assertThat(errors.put(result.user(), Errors.forCode(result.errorCode())))
                    .as("one result per user")
                    .isNull();
        }
        return errors;
    }

    private static Map<String, DescribeUserScramCredentialsResult> describe(
            SweepContext sweep, short version, String... users) throws Exception {
        DescribeUserScramCredentialsResponse answer = sweep.client()
                .send(
                        ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS,
                        version,
                        new DescribeUserScramCredentialsRequestData()
                                .setUsers(java.util.Arrays.stream(users)
                                        .map(u -> new UserName().setName(u))
                                        .toList()));
        assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
        Map<String, DescribeUserScramCredentialsResult> byUser = new TreeMap<>();
        answer.data().results().forEach(result -> byUser.put(result.user(), result));
        return byUser;
    }

    private static Map<Byte, Integer> iterations(DescribeUserScramCredentialsResult result) {
        Map<Byte, Integer> byMechanism = new TreeMap<>();
        for (CredentialInfo info : result.credentialInfos()) {
            byMechanism.put(info.mechanism(), info.iterations());
        }
        return byMechanism;
    }
}
