package io.varve.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CampaignOptionsTest {
    @Test
    void theFaultsGoThroughEveryKindByDefaultAndAsNamedByFaults() {
        assertThat(CampaignOptions.parse(new String[] {"--out", "/tmp/x"}).faults())
                .containsExactly(
                        "kill-leader",
                        "kill-controller",
                        "kill-two",
                        "pause-leader",
                        "partition-leader",
                        "disk-full",
                        "slow-disk");
        CampaignOptions chosen = CampaignOptions.parse(
                new String[] {"--out", "/tmp/x", "--faults", "disk-full, kill-leader", "--disk-mb", "64"});
        assertThat(chosen.faults()).isEqualTo(List.of("disk-full", "kill-leader"));
        assertThat(chosen.diskMb()).isEqualTo(64);
        assertThat(chosen.cycles()).isEqualTo(5);
    }

    @Test
    void anUnknownFaultIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--out", "/tmp/x", "--faults", "disk-ful"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown fault disk-ful")
                .hasMessageContaining("slow-disk");
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--out", "/tmp/x", "--faults", ","}))
                .hasMessage("--faults names no fault");
    }
}
