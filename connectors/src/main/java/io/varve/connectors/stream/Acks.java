package io.varve.connectors.stream;

/**
 * When an in-process sink counts a record as written, as Kafka's {@code acks}: the partition
 * actor applies the same rule to a native append as to a Produce.
 */
public enum Acks {
    /** {@code acks=0}: done once handed to the partition; the offset is unknown (-1). */
    NONE((short) 0),
    /** {@code acks=1}: done once the leader appended it. */
    LEADER((short) 1),
    /** {@code acks=all}: done once every in-sync replica has it (the high watermark passed it). */
    ALL((short) -1);

    private final short code;

    Acks(short code) {
        this.code = code;
    }

    /** The value Kafka's Produce request carries. */
    public short code() {
        return code;
    }
}
