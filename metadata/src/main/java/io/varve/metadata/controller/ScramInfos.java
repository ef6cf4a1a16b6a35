package io.varve.metadata.controller;

import io.varve.metadata.Controller.ScramCredentialInfos;
import java.util.Map;
import java.util.TreeMap;

/** The DescribeUserScramCredentials view of the stored credentials: mechanisms and iterations only. */
final class ScramInfos {
    private ScramInfos() {}

    static ScramCredentialInfos of(ClientMetadata clients) {
        Map<String, Map<Byte, Integer>> users = new TreeMap<>();
        clients.scramCredentials().forEach((user, mechanisms) -> {
            Map<Byte, Integer> iterations = new TreeMap<>();
            mechanisms.forEach((mechanism, credential) -> iterations.put(mechanism, credential.iterations()));
            users.put(user, Immutables.sortedCopy(iterations));
        });
        return new ScramCredentialInfos(Immutables.sortedCopy(users));
    }
}
