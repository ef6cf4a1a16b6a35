package io.varve.chaos;

/**
 * The identity a workload writes into each record's value: the client side (A or B), the producer's
 * index on that side and the producer's sequence number, as {@code A1:123:padding}. Packed into a
 * {@code long} for the checker: side in bit 63..56, producer in 55..48, sequence in 47..0.
 */
final class RecordId {
    private static final String PADDING = "-".repeat(64);

    private RecordId() {}

    static String value(char side, int producer, long seq) {
        return side + Integer.toString(producer) + ':' + seq + ':' + PADDING;
    }

    static long pack(char side, int producer, long seq) {
        return ((long) side << 56) | ((long) producer << 48) | seq;
    }

    /** The packed id of a value a workload wrote; -1 for anything else. */
    static long parse(String value) {
        if (value == null || value.length() < 4) {
            return -1;
        }
        int first = value.indexOf(':');
        int second = first < 0 ? -1 : value.indexOf(':', first + 1);
        if (first < 2 || second < 0) {
            return -1;
        }
        try {
            int producer = Integer.parseInt(value, 1, first, 10);
            long seq = Long.parseLong(value, first + 1, second, 10);
            return pack(value.charAt(0), producer, seq);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The producer a packed id belongs to (side and index), as one number. */
    static int producerOf(long id) {
        return (int) (id >>> 48);
    }

    static long seqOf(long id) {
        return id & ((1L << 48) - 1);
    }

    static String describe(long id) {
        return (char) (id >>> 56) + Integer.toString((int) ((id >>> 48) & 0xff)) + ":" + seqOf(id);
    }
}
