package io.varve.metadata.controller;

import org.apache.kafka.common.protocol.Errors;

/**
 * Either a value or the Kafka error (with its message) that rejects a request. Immutable.
 *
 * @param value the result when {@code error} is {@code NONE}, else null
 */
record Validated<T>(T value, Errors error, String message) {

    static <T> Validated<T> ok(T value) {
        return new Validated<>(value, Errors.NONE, null);
    }

    static <T> Validated<T> reject(Errors error, String message) {
        return new Validated<>(null, error, message);
    }

    boolean isOk() {
        return error == Errors.NONE;
    }

    /** The same rejection, typed for another value. */
    <U> Validated<U> rejection() {
        return new Validated<>(null, error, message);
    }
}
