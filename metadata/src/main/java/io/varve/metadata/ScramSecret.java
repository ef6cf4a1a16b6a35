package io.varve.metadata;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a SCRAM server keeps of a password (RFC 5802, as Kafka's UserScramCredentialRecord): the salt,
 * StoredKey = H(ClientKey) and ServerKey, all derived from the salted password by the handler that
 * received it. Neither the password nor the salted password is ever stored. Arrays are compared by
 * content and never printed. Immutable by convention: nobody writes into the arrays.
 */
public record ScramSecret(byte[] salt, byte[] storedKey, byte[] serverKey) implements VarveSerializable {

    @Override
    public boolean equals(Object other) {
        return other instanceof ScramSecret that
                && Arrays.equals(salt, that.salt)
                && Arrays.equals(storedKey, that.storedKey)
                && Arrays.equals(serverKey, that.serverKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(salt), Arrays.hashCode(storedKey), Arrays.hashCode(serverKey));
    }

    @Override
    public String toString() {
        return "ScramSecret[hidden]";
    }
}
