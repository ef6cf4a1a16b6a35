package io.varve.group.classic;

/** A member as DescribeGroups shows it. */
public record MemberDescription(
        String memberId,
        String groupInstanceId,
        String clientId,
        String clientHost,
        byte[] metadata,
        byte[] assignment) {}
