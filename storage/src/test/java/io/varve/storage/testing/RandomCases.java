package io.varve.storage.testing;

import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

/**
 * Seeds and draws for the seeded randomized tests ({@code BatchValidatorMutationTest} in storage,
 * {@code RequestMutationTest} in transport). Case {@code i} of a run is drawn from
 * {@code new Random(seed)} with the {@code i}-th seed of {@link #seeds(int)}, so every run draws the
 * same cases; {@code -Dvarve.test.seed=S} runs only seed {@code S}, the one a failure's message names.
 * A bounded draw returns one of its bounds one time in ten, so edge values come up in every run and
 * not only when the generator happens on them. Stateless; the {@link Random} is the caller's.
 */
public final class RandomCases {
    /** Names the seed to replay alone. */
    public static final String SEED_PROPERTY = "varve.test.seed";

    private static final long SPREAD = 0x9E3779B97F4A7C15L;
    private static final byte[] EDGE_BYTES = {0, 1, -1, Byte.MIN_VALUE, Byte.MAX_VALUE};

    private RandomCases() {}

    /**
     * The seeds of a run of {@code cases} cases: the index times an odd constant (so neighbouring
     * cases differ in their high bits too, which {@link Random}'s first draws read), or only the seed
     * given in {@value #SEED_PROPERTY}.
     */
    public static LongStream seeds(int cases) {
        String replay = System.getProperty(SEED_PROPERTY);
        if (replay != null && !replay.isBlank()) {
            return LongStream.of(Long.parseLong(replay.trim()));
        }
        return LongStream.range(0, cases).map(i -> (i + 1) * SPREAD);
    }

    /** How a failing case is named in an assertion message: its seed, how to replay it, the case. */
    public static String describe(long seed, Object testCase) {
        return "seed " + seed + " (-D" + SEED_PROPERTY + "=" + seed + "): " + testCase;
    }

    /** An int in {@code [min, max]}, either bound one time in ten. */
    public static int between(Random random, int min, int max) {
        return switch (random.nextInt(20)) {
            case 0 -> min;
            case 1 -> max;
            default -> min + random.nextInt(max - min + 1);
        };
    }

    /** Any byte, one of 0, 1, -1, -128 and 127 one time in ten. */
    public static byte anyByte(Random random) {
        return random.nextInt(10) == 0 ? EDGE_BYTES[random.nextInt(EDGE_BYTES.length)] : (byte) random.nextInt(256);
    }

    /** A fraction in {@code [0, 1)}: 0 or the largest double below 1 one time in ten. */
    public static double fraction(Random random) {
        return switch (random.nextInt(20)) {
            case 0 -> 0.0;
            case 1 -> Math.nextDown(1.0);
            default -> random.nextDouble();
        };
    }

    /** One of {@code values}, each equally likely. */
    public static <T> T oneOf(Random random, List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
