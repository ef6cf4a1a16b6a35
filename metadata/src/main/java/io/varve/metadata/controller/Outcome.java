package io.varve.metadata.controller;

import java.util.List;

/**
 * What a controller command decided: the events to persist (none for a rejected or validate-only
 * request) and the reply to send once they are persisted. Immutable.
 */
record Outcome<R>(R reply, List<ControllerEvent> events) {
    Outcome {
        events = List.copyOf(events);
    }
}
