package io.varve.metadata;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A node's current {@link MetadataImage}, readable from any thread without messaging (request
 * handlers read it on every request, like Kafka's broker metadata cache). Written only by the
 * node's metadata listener actor as controller updates arrive; listeners are told of each new image
 * in order, on the writer's thread, and must only hand it on (e.g. {@code tell} an actor).
 */
public final class MetadataCache {
    private final AtomicReference<MetadataImage> current;
    private final List<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();

    public MetadataCache(MetadataImage initial) {
        this.current = new AtomicReference<>(initial);
    }

    public MetadataImage image() {
        return current.get();
    }

    /** Installs a newer image; older or equal offsets are ignored. */
    public void update(MetadataImage image) {
        MetadataImage previous = current.getAndUpdate(old -> image.offset() > old.offset() ? image : old);
        if (image.offset() > previous.offset()) {
            listeners.forEach(listener -> listener.accept(image));
        }
    }

    public void subscribe(Consumer<MetadataImage> listener) {
        listeners.add(listener);
    }

    /** Stops telling {@code listener} (the same instance that subscribed) of new images. */
    public void unsubscribe(Consumer<MetadataImage> listener) {
        listeners.remove(listener);
    }
}
