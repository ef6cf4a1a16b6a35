package io.varve.group.classic;

/** A member listed in the leader's JoinGroup answer. */
public record JoinedMember(String memberId, String groupInstanceId, byte[] metadata) {}
