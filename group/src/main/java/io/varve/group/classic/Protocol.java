package io.varve.group.classic;

import java.util.Arrays;

/** One protocol a member supports (an assignor name for consumers) and its metadata (subscription). */
public record Protocol(String name, byte[] metadata) {
    @Override
    public boolean equals(Object other) {
        return other instanceof Protocol p && name.equals(p.name) && Arrays.equals(metadata, p.metadata);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(metadata);
    }

    @Override
    public String toString() {
        return "Protocol[" + name + ", " + metadata.length + " bytes]";
    }
}
