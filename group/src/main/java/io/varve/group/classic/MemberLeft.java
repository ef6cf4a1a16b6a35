package io.varve.group.classic;

import org.apache.kafka.common.protocol.Errors;

/** The outcome for one member of a LeaveGroup. */
public record MemberLeft(String memberId, String groupInstanceId, Errors error) {}
