package io.varve.group.classic;

/** A member named in a LeaveGroup: by member id, or by instance id with member id "" (KIP-345). */
public record LeavingMember(String memberId, String groupInstanceId) {}
