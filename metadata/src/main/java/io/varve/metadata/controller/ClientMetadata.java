package io.varve.metadata.controller;

import io.varve.metadata.ScramSecret;
import io.varve.metadata.VarveSerializable;
import io.varve.metadata.controller.ControllerEvent.ClientEvent;
import io.varve.metadata.controller.ControllerEvent.GroupConfigsReplaced;
import io.varve.metadata.controller.ControllerEvent.ScramCredentialRemoved;
import io.varve.metadata.controller.ControllerEvent.ScramCredentialUpserted;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the controller keeps beside the {@link io.varve.metadata.MetadataImage}, read only by the
 * admin APIs that describe it (through the controller): each group's dynamic configs (Kafka's GROUP
 * config resources) and each user's SCRAM credentials (Kafka's UserScramCredentialRecord). Part of
 * the controller's persistent state and snapshot; immutable, {@link #apply} is its event handler.
 *
 * @param groupConfigs group id to its dynamic configs (no entry for a group without any)
 * @param scramCredentials user name to (mechanism type to credential)
 */
public record ClientMetadata(
        Map<String, Map<String, String>> groupConfigs, Map<String, Map<Byte, ScramCredential>> scramCredentials)
        implements VarveSerializable {

    public static final ClientMetadata EMPTY = new ClientMetadata(Map.of(), Map.of());

    /**
     * What a SCRAM server stores for one user and mechanism (RFC 5802): never the password nor the
     * salted password.
     */
    public record ScramCredential(ScramSecret secret, int iterations) implements VarveSerializable {}

    public Map<String, String> groupConfigs(String group) {
        return groupConfigs.getOrDefault(group, Map.of());
    }

    public Map<Byte, ScramCredential> scramCredentials(String user) {
        return scramCredentials.getOrDefault(user, Map.of());
    }

    public ClientMetadata apply(ClientEvent event) {
        if (event instanceof GroupConfigsReplaced replaced) {
            Map<String, Map<String, String>> groups = new TreeMap<>(groupConfigs);
            if (replaced.configs().isEmpty()) {
                groups.remove(replaced.group());
            } else {
                groups.put(replaced.group(), Immutables.sortedCopy(replaced.configs()));
            }
            return new ClientMetadata(Immutables.sortedCopy(groups), scramCredentials);
        }
        if (event instanceof ScramCredentialUpserted upserted) {
            Map<Byte, ScramCredential> mechanisms = new TreeMap<>(scramCredentials(upserted.user()));
            mechanisms.put(upserted.mechanism(), new ScramCredential(upserted.secret(), upserted.iterations()));
            return withUser(upserted.user(), mechanisms);
        }
        ScramCredentialRemoved removed = (ScramCredentialRemoved) event;
        Map<Byte, ScramCredential> mechanisms = new TreeMap<>(scramCredentials(removed.user()));
        mechanisms.remove(removed.mechanism());
        return withUser(removed.user(), mechanisms);
    }

    private ClientMetadata withUser(String user, Map<Byte, ScramCredential> mechanisms) {
        Map<String, Map<Byte, ScramCredential>> users = new TreeMap<>(scramCredentials);
        if (mechanisms.isEmpty()) {
            users.remove(user);
        } else {
            users.put(user, Immutables.sortedCopy(mechanisms));
        }
        return new ClientMetadata(groupConfigs, Immutables.sortedCopy(users));
    }
}
