package io.varve.group.classic;

import io.varve.group.GroupSettings;

/** The timing and size limits a {@link ClassicGroup} enforces, in milliseconds. */
public record GroupLimits(
        long initialRebalanceDelayMs,
        int minSessionTimeoutMs,
        int maxSessionTimeoutMs,
        int maxSize,
        long newMemberJoinTimeoutMs) {

    public static GroupLimits of(GroupSettings settings) {
        return new GroupLimits(
                settings.initialRebalanceDelay().toMillis(),
                (int) settings.minSessionTimeout().toMillis(),
                (int) settings.maxSessionTimeout().toMillis(),
                settings.maxSize(),
                settings.newMemberJoinTimeout().toMillis());
    }
}
