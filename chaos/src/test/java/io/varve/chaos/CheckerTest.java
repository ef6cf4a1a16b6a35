package io.varve.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckerTest {
    @TempDir
    Path out;

    @Test
    void aCleanRunCountsEveryAcknowledgedRecordAndNothingElse() throws IOException {
        write("final.log", "0 0 A1:0", "0 1 A1:2", "1 0 A1:1", "1 1 B1:0");
        write("acks-A1.log", "A 1000 0 0 0", "A 1001 1 0 1", "A 1002 0 1 2");
        write("acks-B1.log", "A 1000 1 1 0", "F 1003 0 1 NotEnoughReplicasException");
        write("consumed-A-read_committed.log", "R 0 0 A1:0:", "R 0 1 A1:2:", "R 0 1 A1:2:");
        write("faults.log", "1 kill-leader 2 1000 2000 3000 500");

        Checker.Verdict verdict = check();

        assertThat(verdict).isEqualTo(new Checker.Verdict(1, 4, 4, 0, 0, 0, 0, 0, 0));
        assertThat(verdict.lastLine()).isEqualTo("cycles 1 acked 4 lost 0 duplicated 0 reordered 0 divergent 0");
        assertThat(verdict.clean()).isTrue();
    }

    @Test
    void aPhantomReadAloneFailsTheRun() throws IOException {
        // every acknowledged record in place, but a consumer read B2:9 at 0/1, where the final log holds A1:2
        write("final.log", "0 0 A1:0", "0 1 A1:2");
        write("acks-A1.log", "A 1000 0 0 0", "A 1001 0 1 2");
        write("consumed-B-read_uncommitted.log", "R 0 0 A1:0:", "R 0 1 B2:9:");

        Checker.Verdict verdict = check();

        assertThat(verdict).isEqualTo(new Checker.Verdict(0, 2, 2, 0, 0, 0, 0, 1, 0));
        assertThat(verdict.clean()).isFalse();
    }

    @Test
    void countsLostMisplacedDuplicatedReorderedPhantomAndDivergent() throws IOException {
        // A1:3 acknowledged but absent (lost); A1:1 acknowledged at 0/1 but found at 1/0 (misplaced);
        // A1:1 twice (duplicated); A1:2 after A1:4 in partition 0 (reordered); B2:9 read at 1/1 (phantom)
        write("final.log", "0 0 A1:0", "0 1 A1:4", "0 2 A1:2", "1 0 A1:1", "1 1 A1:1", "1 2 ?");
        write("acks-A1.log", "A 1 0 0 0", "A 2 0 1 1", "A 3 0 5 3");
        write("consumed-B-read_uncommitted.log", "R 1 1 B2:9:", "T 5 1 2 1");
        write("divergent.log", "0 3 2");

        Checker.Verdict verdict = check();

        assertThat(verdict).isEqualTo(new Checker.Verdict(0, 3, 5, 1, 1, 1, 1, 1, 1));
        assertThat(verdict.lastLine()).isEqualTo("cycles 0 acked 3 lost 1 duplicated 1 reordered 1 divergent 1");
    }

    @Test
    void theUnavailabilityOfAFaultIsTheLongestAckGapOverlappingIt() {
        FaultRecord fault = new FaultRecord(1, "kill-leader", "1", 10_000, 12_000, 20_000, 3_000);
        Map<Integer, List<Long>> acks = Map.of(
                0, List.of(9_000L, 9_900L, 15_900L, 16_000L, 16_100L),
                1, List.of(9_950L, 10_050L, 10_150L));

        assertThat(Unavailability.window(fault, acks)).isEqualTo(6_000);
    }

    private Checker.Verdict check() throws IOException {
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        Checker.Verdict verdict = Checker.check(out, new PrintStream(report, true, StandardCharsets.UTF_8));
        String text = report.toString(StandardCharsets.UTF_8);
        assertThat(text.strip().lines().reduce((a, b) -> b)).hasValue(verdict.lastLine());
        return verdict;
    }

    private void write(String file, String... lines) throws IOException {
        Files.write(out.resolve(file), List.of(lines));
    }
}
