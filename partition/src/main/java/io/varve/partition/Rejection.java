package io.varve.partition;

import org.apache.kafka.common.protocol.Errors;

/** A client-caused failure found by a partition check: Kafka's error code and a message with the numbers. */
record Rejection(Errors error, String message) {}
