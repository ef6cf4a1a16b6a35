package io.varve.storage.cleaner;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's bounded map from a record key to the latest offset it was seen at, Kafka's
 * "SkimpyOffsetMap": keys are stored as their 16-byte MD5 digest (as Kafka does), so every entry costs
 * 24 bytes whatever the key's size, and two keys are only confused on an MD5 collision. Open
 * addressing with linear probing over three parallel arrays; a slot whose stored offset is 0 is empty
 * (offsets are stored plus one).
 *
 * <pre>
 *   slot:    0        1        2       ...   slots-1
 *   hashHi [h0     ][h1     ][       ] ...
 *   hashLo [l0     ][l1     ][       ] ...
 *   offset [o0 + 1 ][o1 + 1 ][0 empty] ...
 * </pre>
 *
 * <p>The map takes at most {@code slots * loadFactor} keys ({@link #isFull()}); the cleaner then stops
 * mapping and cleans what the map covers, the rest in a later pass. Not thread-safe: one per cleaner
 * thread, reused across cleanings ({@link #reset(int)}).
 */
public final class KeyOffsetMap {
    /** Bytes per slot: a 16-byte digest and an 8-byte offset. */
    public static final int BYTES_PER_ENTRY = 24;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final MessageDigest md5;
    private final byte[] digest = new byte[16];
    private final double loadFactor;
    private long[] hashHi = new long[0];
    private long[] hashLo = new long[0];
    private long[] offsets = new long[0];
    private int slots;
    private int maxEntries;
    private int size;
    private long latestOffset = -1L;
    private long lookups;
    private long probes;

    public KeyOffsetMap(double loadFactor) {
        this.loadFactor = loadFactor;
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    /**
     * Empties the map and sizes it to {@code slots} (reallocating only when it must grow, or shrink a lot,
     * so a thread cleaning many small logs does not hold its largest map forever).
     */
    public void reset(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("an offset map needs at least one slot, not " + slots);
        }
        if (slots > offsets.length || slots < offsets.length / 4) {
            hashHi = new long[slots];
            hashLo = new long[slots];
            offsets = new long[slots];
        } else {
            Arrays.fill(offsets, 0, slots, 0L);
        }
        this.slots = slots;
        this.maxEntries = Math.max(1, (int) (slots * loadFactor));
        this.size = 0;
        this.latestOffset = -1L;
        this.lookups = 0;
        this.probes = 0;
    }

    /** Records {@code offset} as the latest offset of {@code key} (read from its position to its limit). */
    public void put(ByteBuffer key, long offset) {
        hash(key);
        long hi = digestHigh();
        long lo = digestLow();
        int slot = firstSlot(hi);
        while (true) {
            long stored = offsets[slot];
            if (stored == 0L) {
                hashHi[slot] = hi;
                hashLo[slot] = lo;
                offsets[slot] = offset + 1;
                size++;
                break;
            }
            if (hashHi[slot] == hi && hashLo[slot] == lo) {
                offsets[slot] = offset + 1;
                break;
            }
            slot = next(slot);
        }
        latestOffset = Math.max(latestOffset, offset);
    }

    /** The latest offset recorded for {@code key}, or -1 when it is not in the map. */
    public long get(ByteBuffer key) {
        hash(key);
        long hi = digestHigh();
        long lo = digestLow();
        int slot = firstSlot(hi);
        lookups++;
        while (true) {
            probes++;
            long stored = offsets[slot];
            if (stored == 0L) {
                return -1L;
            }
            if (hashHi[slot] == hi && hashLo[slot] == lo) {
                return stored - 1;
            }
            slot = next(slot);
        }
    }

    /** Whether the map holds as many keys as its load factor allows. */
    public boolean isFull() {
        return size >= maxEntries;
    }

    public int size() {
        return size;
    }

    public int slots() {
        return slots;
    }

    public double loadFactor() {
        return loadFactor;
    }

    /** The most keys the map takes: {@code slots * loadFactor}. */
    public int maxEntries() {
        return maxEntries;
    }

    /** The highest offset mapped so far (or moved up to by {@link #updateLatestOffset}), -1 when none. */
    public long latestOffset() {
        return latestOffset;
    }

    /** The map covers offsets up to {@code offset} even where no keyed record was there (gaps, control batches). */
    public void updateLatestOffset(long offset) {
        latestOffset = Math.max(latestOffset, offset);
    }

    /** The share of slots in use. */
    public double utilization() {
        return slots == 0 ? 0.0 : (double) size / slots;
    }

    /** Average slots probed per lookup, to see collisions in the cleaner's summary. */
    public double probesPerLookup() {
        return lookups == 0 ? 0.0 : (double) probes / lookups;
    }

    private void hash(ByteBuffer key) {
        md5.update(key.duplicate());
        try {
            md5.digest(digest, 0, digest.length);
        } catch (DigestException e) {
            throw new IllegalStateException("MD5 digests are 16 bytes", e);
        }
    }

    private long digestHigh() {
        return (long) LONGS.get(digest, 0);
    }

    private long digestLow() {
        return (long) LONGS.get(digest, 8);
    }

    private int firstSlot(long hi) {
        return (int) Long.remainderUnsigned(hi, slots);
    }

    private int next(int slot) {
        return slot + 1 == slots ? 0 : slot + 1;
    }

    /** Slots that fit in {@code memoryBytes}. */
    public static int slotsFor(long memoryBytes) {
        return (int) Math.min(Integer.MAX_VALUE - 8, memoryBytes / BYTES_PER_ENTRY);
    }
}
