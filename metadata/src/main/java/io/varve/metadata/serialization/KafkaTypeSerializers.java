package io.varve.metadata.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableSerializer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Kryo serializers for the kafka-clients value types that travel in Varve's messages. None of them
 * has a no-argument constructor, so Kryo's field serializer cannot build them. All are stateless
 * and thread-safe.
 */
final class KafkaTypeSerializers {
    private KafkaTypeSerializers() {}

    /** A topic id as its two longs, most significant first. */
    static final class UuidSerializer extends ImmutableSerializer<Uuid> {
        @Override
        public void write(Kryo kryo, Output output, Uuid uuid) {
            output.writeLong(uuid.getMostSignificantBits());
            output.writeLong(uuid.getLeastSignificantBits());
        }

        @Override
        public Uuid read(Kryo kryo, Input input, Class<? extends Uuid> type) {
            long mostSignificantBits = input.readLong();
            return new Uuid(mostSignificantBits, input.readLong());
        }
    }

    /**
     * An error as its Kafka wire code, not its enum ordinal: the code is stable across kafka-clients
     * versions, the ordinal is not.
     */
    static final class ErrorsSerializer extends ImmutableSerializer<Errors> {
        @Override
        public void write(Kryo kryo, Output output, Errors error) {
            output.writeShort(error.code());
        }

        @Override
        public Errors read(Kryo kryo, Input input, Class<? extends Errors> type) {
            return Errors.forCode(input.readShort());
        }
    }

    /** A topic partition as its topic name and partition index. */
    static final class TopicPartitionSerializer extends ImmutableSerializer<TopicPartition> {
        @Override
        public void write(Kryo kryo, Output output, TopicPartition tp) {
            output.writeString(tp.topic());
            output.writeInt(tp.partition());
        }

        @Override
        public TopicPartition read(Kryo kryo, Input input, Class<? extends TopicPartition> type) {
            String topic = input.readString();
            return new TopicPartition(topic, input.readInt());
        }
    }
}
