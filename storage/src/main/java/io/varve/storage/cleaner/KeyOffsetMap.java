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
 * addressing with linear probing over one array holding each slot's three longs side by side, so a
 * probe touches one cache line, not three (the keys' digests spread them over the whole map, which is
 * far larger than the CPU caches); a slot whose stored offset is 0 is empty (offsets are stored plus one).
 *
 * <pre>
 *   entries: [hi0 lo0 o0+1][hi1 lo1 o1+1][  0   0   0 ] ...   (slot i at index 3i)
 * </pre>
 *
 * <p>The map takes at most {@code slots * loadFactor} keys ({@link #isFull()}); the cleaner then stops
 * mapping and cleans what the map covers, the rest in a later pass. Not thread-safe: one per cleaner
 * thread, reused across cleanings ({@link #reset(int)}).
 */
public final class KeyOffsetMap {
    /** Bytes per slot: a 16-byte digest and an 8-byte offset. */
    public static final int BYTES_PER_ENTRY = 24;

    private static final int LONGS_PER_ENTRY = 3;
    /** Slots a map starts with (384 KiB). */
    static final int INITIAL_SLOTS = 1 << 14;
    /** The map doubles when this share of its slots is used, until it has {@code maxSlots}. */
    private static final double GROW_LOAD = 0.5;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final MessageDigest md5;
    private final byte[] digest = new byte[16];
    private final double loadFactor;

    private long[] entries = new long[0];
    private int maxSlots;
    private int slots;
    private int entriesInUse;
    private int growAt;
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
     * Empties the map for a cleaning that may hold up to {@code maxSlots} slots ({@link #isFull()} at
     * {@code maxSlots * loadFactor} keys). The map starts at {@value #INITIAL_SLOTS} slots (or {@code maxSlots}
     * if fewer) and doubles whenever it is half full, up to {@code maxSlots}: a log with few distinct keys
     * gets a map that stays in the CPU caches and costs little fresh memory, where a map sized for the
     * whole buffer (Kafka's) spreads the same keys over {@code maxSlots} slots and misses the cache on
     * nearly every probe. While it doubles the old and the new array coexist for a moment (at most
     * 1.5 times {@code maxSlots * 24} bytes, at the last doubling).
     */
    public void reset(int maxSlots) {
        if (maxSlots < 1) {
            throw new IllegalArgumentException("an offset map needs at least one slot, not " + maxSlots);
        }
        this.maxSlots = maxSlots;
        int initial = Math.min(maxSlots, INITIAL_SLOTS);
        if (entries.length != initial * LONGS_PER_ENTRY) {
            entries = new long[initial * LONGS_PER_ENTRY];
        } else {
            Arrays.fill(entries, 0L);
        }
        useSlots(initial);
        this.maxEntries = Math.max(1, (int) (maxSlots * loadFactor));
        this.size = 0;
        this.latestOffset = -1L;
        this.lookups = 0;
        this.probes = 0;
    }

    private void useSlots(int slots) {
        this.slots = slots;
        this.entriesInUse = slots * LONGS_PER_ENTRY;
        this.growAt = slots == maxSlots ? Integer.MAX_VALUE : (int) (slots * GROW_LOAD);
    }

    /** Doubles the slots (up to {@code maxSlots}) and re-inserts every entry by its stored digest. */
    private void grow() {
        long[] old = entries;
        int oldInUse = entriesInUse;
        int grown = (int) Math.min(maxSlots, 2L * slots);
        entries = new long[grown * LONGS_PER_ENTRY];
        useSlots(grown);
        for (int at = 0; at < oldInUse; at += LONGS_PER_ENTRY) {
            if (old[at + 2] != 0L) {
                int to = firstEntry(old[at]);
                while (entries[to + 2] != 0L) {
                    to = nextEntry(to);
                }
                entries[to] = old[at];
                entries[to + 1] = old[at + 1];
                entries[to + 2] = old[at + 2];
            }
        }
    }

    /**
     * Records {@code offset} as the latest offset of {@code key} (read from its position to its limit).
     *
     * @return the offset it replaces for that key (or for a key with the same digest), -1 when the key is new
     */
    public long put(ByteBuffer key, long offset) {
        if (size >= growAt) {
            grow();
        }
        hash(key);
        long hi = digestHigh();
        long lo = digestLow();
        int at = firstEntry(hi);
        lookups++;
        long previous = -1L;
        while (true) {
            probes++;
            long stored = entries[at + 2];
            if (stored == 0L) {
                entries[at] = hi;
                entries[at + 1] = lo;
                entries[at + 2] = offset + 1;
                size++;
                break;
            }
            if (entries[at] == hi && entries[at + 1] == lo) {
                previous = stored - 1;
                entries[at + 2] = offset + 1;
                break;
            }
            at = nextEntry(at);
        }
        latestOffset = Math.max(latestOffset, offset);
        return previous;
    }

    /** The latest offset recorded for {@code key}, or -1 when it is not in the map. */
    public long get(ByteBuffer key) {
        hash(key);
        long hi = digestHigh();
        long lo = digestLow();
        int at = firstEntry(hi);
        lookups++;
        while (true) {
            probes++;
            long stored = entries[at + 2];
            if (stored == 0L) {
                return -1L;
            }
            if (entries[at] == hi && entries[at + 1] == lo) {
                return stored - 1;
            }
            at = nextEntry(at);
        }
    }

    /** Whether the map holds as many keys as its load factor allows. */
    public boolean isFull() {
        return size >= maxEntries;
    }

    public int size() {
        return size;
    }

    /** The slots the map has now (it grows up to {@link #maxSlots()}). */
    public int slots() {
        return slots;
    }

    /** The slots the map may grow to in this cleaning. */
    public int maxSlots() {
        return maxSlots;
    }

    public double loadFactor() {
        return loadFactor;
    }

    /** The most keys the map takes: {@code maxSlots * loadFactor}. */
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

    /** Keys over the slots the map may grow to: the share of its buffer in use, as Kafka reports it. */
    public double utilization() {
        return maxSlots == 0 ? 0.0 : (double) size / maxSlots;
    }

    /** Average slots probed per put or get, to see collisions in the cleaner's summary. */
    public double probesPerLookup() {
        return lookups == 0 ? 0.0 : (double) probes / lookups;
    }

    /** Digests the key's bytes, leaving its position where it was (no duplicate buffer per record). */
    private void hash(ByteBuffer key) {
        int position = key.position();
        md5.update(key);
        key.position(position);
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

    /** The index in {@code entries} of the key's first slot. */
    private int firstEntry(long hi) {
        return (int) Long.remainderUnsigned(hi, slots) * LONGS_PER_ENTRY;
    }

    private int nextEntry(int at) {
        int next = at + LONGS_PER_ENTRY;
        return next == entriesInUse ? 0 : next;
    }

    /** Slots that fit in {@code memoryBytes}. */
    public static int slotsFor(long memoryBytes) {
        return (int) Math.min((Integer.MAX_VALUE - 8) / LONGS_PER_ENTRY, memoryBytes / BYTES_PER_ENTRY);
    }
}
