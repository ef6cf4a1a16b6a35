package io.varve.metadata.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import java.io.NotSerializableException;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Pekko serializer for every {@code VarveSerializable} (messages between nodes, journal events,
 * snapshots), on Kryo 5 with registration required: a class missing from {@code
 * varve.kryo.classes} fails to serialize with a message naming it, instead of silently writing its
 * class name. The payload is Kryo's class-and-object encoding, so the class id travels in the bytes
 * and the string manifest is empty.
 *
 * <p>Created by Pekko's serialization extension, once per actor system, and called from any thread:
 * each call borrows a {@link Kryo} (not thread-safe) from a pool.
 */
public final class KryoSerializer extends SerializerWithStringManifest {
    private static final int POOL_SIZE = 32;
    private static final int INITIAL_BUFFER_BYTES = 256;

    private final int identifier;
    private final Pool<Kryo> pool;

    public KryoSerializer(ExtendedActorSystem system) {
        KryoSettings settings = KryoSettings.fromConfig(system.settings().config());
        LazyResolver resolver = new LazyResolver(system);
        KryoFactory factory = new KryoFactory(settings, system.dynamicAccess().classLoader(), resolver::get);
        // fail at start-up, not at the first message, on a bad registration list
        Kryo first = factory.create();
        this.identifier = settings.serializerId();
        this.pool = new Pool<>(true, false, POOL_SIZE) {
            @Override
            protected Kryo create() {
                return factory.create();
            }
        };
        pool.free(first);
    }

    @Override
    public int identifier() {
        return identifier;
    }

    @Override
    public String manifest(Object o) {
        return "";
    }

    @Override
    public byte[] toBinary(Object o) {
        Kryo kryo = pool.obtain();
        try (Output output = new Output(INITIAL_BUFFER_BYTES, -1)) {
            kryo.writeClassAndObject(output, o);
            return output.toBytes();
        } catch (KryoException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "Kryo cannot serialize a " + o.getClass().getName() + ": " + e.getMessage()
                            + " (every class it holds needs an id in varve.kryo.classes)",
                    e);
        } finally {
            pool.free(kryo);
        }
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        Kryo kryo = pool.obtain();
        try (Input input = new Input(bytes)) {
            return kryo.readClassAndObject(input);
        } catch (KryoException | IllegalArgumentException e) {
            NotSerializableException failure =
                    new NotSerializableException("Kryo cannot read " + bytes.length + " bytes: " + e.getMessage());
            failure.initCause(e);
            throw failure;
        } finally {
            pool.free(kryo);
        }
    }

    /** Looks the resolver up on first use: it is an extension of the system being started. */
    private static final class LazyResolver {
        private final ExtendedActorSystem system;
        private volatile ActorRefResolver resolver;

        LazyResolver(ExtendedActorSystem system) {
            this.system = system;
        }

        ActorRefResolver get() {
            ActorRefResolver current = resolver;
            if (current == null) {
                current = ActorRefResolver.get(Adapter.toTyped(system));
                resolver = current;
            }
            return current;
        }
    }
}
