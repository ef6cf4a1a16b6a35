package io.varve.transport.server;

import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * A connection's requests in arrival order. Handlers finish in any order; responses leave strictly
 * in request order (Kafka clients match responses by order as well as correlation id), so only a
 * finished prefix of the queue can be written. Not thread-safe: owned by one connection, on its network thread.
 */
final class ResponseQueue {
    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private long nextId;

    /** One request awaiting its answer; {@code request}/{@code context} are null for the KIP-511 answer. */
    static final class Slot {
        final long id;
        final ResponseHeader header;
        final short version;
        final AbstractRequest request;
        final RequestContext context;
        ApiResponse response;

        private Slot(long id, ResponseHeader header, short version, AbstractRequest request, RequestContext context) {
            this.id = id;
            this.header = header;
            this.version = version;
            this.request = request;
            this.context = context;
        }
    }

    Slot add(ResponseHeader header, short version, AbstractRequest request, RequestContext context) {
        Slot slot = new Slot(nextId++, header, version, request, context);
        slots.addLast(slot);
        return slot;
    }

    void complete(long id, ApiResponse response) {
        for (Slot slot : slots) {
            if (slot.id == id) {
                slot.response = response;
                return;
            }
        }
    }

    /** Removes and returns the answered slots at the head, in request order. */
    List<Slot> pollReady() {
        List<Slot> ready = new ArrayList<>();
        while (!slots.isEmpty() && slots.peekFirst().response != null) {
            ready.add(slots.pollFirst());
        }
        return ready;
    }

    int size() {
        return slots.size();
    }

    /** Removes every slot and returns the answers already given (the connection closed). */
    List<ApiResponse> drainAnswered() {
        List<ApiResponse> answered = new ArrayList<>();
        for (Slot slot : slots) {
            if (slot.response != null) {
                answered.add(slot.response);
            }
        }
        slots.clear();
        return answered;
    }
}
