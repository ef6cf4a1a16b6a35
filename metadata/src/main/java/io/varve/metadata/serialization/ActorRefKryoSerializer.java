package io.varve.metadata.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableSerializer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/**
 * Writes a typed {@link ActorRef} as its serialization format (the full remote path with uid) and
 * resolves it back through the system's {@link ActorRefResolver}. The resolver is looked up on first
 * use, not at construction: serializers are created while the actor system is still starting.
 * Thread-safe (the resolver is).
 */
@SuppressWarnings("rawtypes")
final class ActorRefKryoSerializer extends ImmutableSerializer<ActorRef> {
    private final Supplier<ActorRefResolver> resolver;

    ActorRefKryoSerializer(Supplier<ActorRefResolver> resolver) {
        this.resolver = resolver;
    }

    @Override
    public void write(Kryo kryo, Output output, ActorRef ref) {
        @SuppressWarnings("unchecked")
        String path = resolver.get().toSerializationFormat(ref);
        output.writeString(path);
    }

    @Override
    public ActorRef read(Kryo kryo, Input input, Class<? extends ActorRef> type) {
        return resolver.get().resolveActorRef(input.readString());
    }
}
