package io.varve.partition;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransactionVerificationsTest {
    private final TransactionVerifications<String> verifications = new TransactionVerifications<>();

    @Test
    void queuedAppendsComeBackInOrderWithAValidGuard() {
        long guard = verifications.start(7L, (short) 0, false);
        verifications.enqueue(7L, "second");
        verifications.enqueue(7L, "third");

        var finished = verifications.finish(7L, guard).orElseThrow();

        assertThat(finished.guardValid()).isTrue();
        assertThat(finished.queued()).containsExactly("second", "third");
        assertThat(verifications.isVerifying(7L)).isFalse();
    }

    @Test
    void aMarkerVoidsTheGuardExceptTheNextVersionTwoTransactionsOwn() {
        long v1 = verifications.start(1L, (short) 3, false);
        long v2 = verifications.start(2L, (short) 4, true);
        long v2Old = verifications.start(3L, (short) 4, true);

        verifications.onMarker(1L, (short) 3);
        verifications.onMarker(2L, (short) 4); // the previous transaction's marker at the bumped epoch
        verifications.onMarker(3L, (short) 5);

        assertThat(verifications.finish(1L, v1).orElseThrow().guardValid()).isFalse();
        assertThat(verifications.finish(2L, v2).orElseThrow().guardValid()).isTrue();
        assertThat(verifications.finish(3L, v2Old).orElseThrow().guardValid()).isFalse();
    }

    @Test
    void anAnswerForAnUnknownGuardFindsNothing() {
        long guard = verifications.start(7L, (short) 0, false);
        verifications.enqueue(7L, "queued");

        assertThat(verifications.drain()).containsExactly("queued");
        assertThat(verifications.finish(7L, guard)).isEmpty();
    }
}
