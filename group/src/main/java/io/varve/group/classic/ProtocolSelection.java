package io.varve.group.classic;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which protocols a group can run: those every member supports. The chosen one is the candidate
 * with the most first-preference votes (each member votes for the first candidate in its own
 * order), as Kafka's classic coordinator chooses; ties go to the candidate listed first.
 */
final class ProtocolSelection {
    private ProtocolSelection() {}

    static Set<String> candidates(Collection<ClassicMember> members) {
        Set<String> candidates = null;
        for (ClassicMember member : members) {
            Set<String> names = new LinkedHashSet<>();
            member.protocols.forEach(p -> names.add(p.name()));
            if (candidates == null) {
                candidates = names;
            } else {
                candidates.retainAll(names);
            }
        }
        return candidates == null ? Set.of() : candidates;
    }

    /** Whether a joining member's protocols leave the group at least one common protocol. */
    static boolean isCompatible(Collection<ClassicMember> members, List<Protocol> protocols) {
        if (members.isEmpty()) {
            return true;
        }
        Set<String> candidates = candidates(members);
        return protocols.stream().anyMatch(p -> candidates.contains(p.name()));
    }

    static String select(Collection<ClassicMember> members) {
        Set<String> candidates = candidates(members);
        Map<String, Integer> votes = new HashMap<>();
        for (ClassicMember member : members) {
            member.protocols.stream()
                    .map(Protocol::name)
                    .filter(candidates::contains)
                    .findFirst()
                    .ifPresent(name -> votes.merge(name, 1, Integer::sum));
        }
        String best = null;
        for (String candidate : candidates) {
            if (best == null || votes.getOrDefault(candidate, 0) > votes.getOrDefault(best, 0)) {
                best = candidate;
            }
        }
        if (best == null) {
            throw new IllegalStateException("no protocol common to every member");
        }
        return best;
    }
}
