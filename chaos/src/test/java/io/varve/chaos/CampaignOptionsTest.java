package io.varve.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CampaignOptionsTest {
    @Test
    void everyFaultKindInTheUsualOrderByDefault() {
        CampaignOptions options = CampaignOptions.parse(new String[] {"--out", "/tmp/x", "--cycles", "7"});
        assertThat(options.faults())
                .containsExactly("kill-leader", "kill-controller", "kill-two", "pause-leader", "partition-leader");
        assertThat(options.cycles()).isEqualTo(7);
        assertThat(options.partitions()).isEqualTo(6);
    }

    @Test
    void faultsChoosesTheKindsAndTheirOrder() {
        CampaignOptions options = CampaignOptions.parse(
                new String[] {"--out", "/tmp/x", "--faults", "partition-leader, kill-leader", "--partitions", "3"});
        assertThat(options.faults()).containsExactly("partition-leader", "kill-leader");
        assertThat(options.partitions()).isEqualTo(3);
    }

    @Test
    void anUnknownFaultIsRefused() {
        assertThatThrownBy(
                        () -> CampaignOptions.parse(new String[] {"--out", "/tmp/x", "--faults", "kill-leader,flood"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown fault flood");
    }
}
