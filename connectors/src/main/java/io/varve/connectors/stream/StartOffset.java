package io.varve.connectors.stream;

/** Where an in-process source starts reading a partition. */
public sealed interface StartOffset {
    /** The log start offset (Kafka's {@code earliest}). */
    static StartOffset earliest() {
        return Earliest.INSTANCE;
    }

    /** The high watermark when the source starts: only records written after (Kafka's {@code latest}). */
    static StartOffset latest() {
        return Latest.INSTANCE;
    }

    /** A given offset; one outside the log is handled by {@link SourceSettings#autoOffsetReset()}. */
    static StartOffset at(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset " + offset + " is negative");
        }
        return new At(offset);
    }

    enum Earliest implements StartOffset {
        INSTANCE
    }

    enum Latest implements StartOffset {
        INSTANCE
    }

    record At(long offset) implements StartOffset {}
}
