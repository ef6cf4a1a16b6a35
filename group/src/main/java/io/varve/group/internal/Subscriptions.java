package io.varve.group.internal;

import io.varve.group.classic.ClassicGroup;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.protocol.types.SchemaException;

/** The topics the members of a consumer-protocol group subscribe to, read from their metadata. */
final class Subscriptions {
    private Subscriptions() {}

    /**
     * The union of the members' subscribed topics; empty when a member's metadata is not a consumer
     * subscription (then nobody can say which topics are unused, as in Kafka).
     */
    static Optional<Set<String>> topics(ClassicGroup group) {
        Set<String> topics = new HashSet<>();
        for (byte[] metadata : group.subscriptions()) {
            if (metadata.length == 0) {
                continue;
            }
            try {
                ConsumerPartitionAssignor.Subscription subscription =
                        ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(metadata));
                topics.addAll(subscription.topics());
            } catch (SchemaException e) {
                // metadata written by a client we cannot read: leave the topics unknown
                return Optional.empty();
            }
        }
        return Optional.of(topics);
    }
}
