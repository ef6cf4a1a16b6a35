package io.varve.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CampaignOptionsTest {
    @Test
    void everyFaultKindInTheUsualOrderByDefault() {
        CampaignOptions options = CampaignOptions.parse(new String[] {"--out", "/tmp/x", "--cycles", "7"});
        assertThat(options.faults())
                .containsExactly(
                        "kill-leader",
                        "kill-controller",
                        "kill-two",
                        "pause-leader",
                        "partition-leader",
                        "disk-full",
                        "slow-disk");
        assertThat(options.cycles()).isEqualTo(7);
        assertThat(options.partitions()).isEqualTo(6);
        assertThat(options.diskMb()).isEqualTo(256);
    }

    @Test
    void faultsChoosesTheKindsAndTheirOrder() {
        CampaignOptions options = CampaignOptions.parse(
                new String[] {"--out", "/tmp/x", "--faults", "partition-leader, kill-leader", "--partitions", "3"});
        assertThat(options.faults()).containsExactly("partition-leader", "kill-leader");
        assertThat(options.partitions()).isEqualTo(3);
        CampaignOptions disks = CampaignOptions.parse(
                new String[] {"--out", "/tmp/x", "--faults", "disk-full, kill-leader", "--disk-mb", "64"});
        assertThat(disks.faults()).containsExactly("disk-full", "kill-leader");
        assertThat(disks.diskMb()).isEqualTo(64);
        assertThat(disks.cycles()).isEqualTo(5);
    }

    /** ChaosCampaignIT's command line (less run.sh's --repository): three kinds, no disk fault. */
    @Test
    void theCiCampaignNamesItsThreeFaultsAndNoDiskFault() {
        CampaignOptions options = CampaignOptions.parse(new String[] {
            "--repository", "/tmp/repo",
            "--cycles", "3",
            "--faults", "kill-leader,partition-leader,pause-leader",
            "--partitions", "3",
            "--producers", "1",
            "--rate", "20",
            "--node-java-opts", "-Xmx384m",
            "--port-base", "20050",
            "--out", "/tmp/x"
        });
        assertThat(options.faults()).containsExactly("kill-leader", "partition-leader", "pause-leader");
        assertThat(options.cycles()).isEqualTo(3);
        assertThat(options.partitions()).isEqualTo(3);
        assertThat(options.producers()).isEqualTo(1);
        assertThat(options.rate()).isEqualTo(20.0);
        assertThat(options.nodeJavaOpts()).isEqualTo("-Xmx384m");
        assertThat(options.portBase()).isEqualTo(20050);
        assertThat(options.out()).isEqualTo(Path.of("/tmp/x"));
        assertThat(options.system()).isEqualTo("varve");
        assertThat(options.checkOnly()).isFalse();
    }

    @Test
    void anUnknownFaultIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(
                        () -> CampaignOptions.parse(new String[] {"--out", "/tmp/x", "--faults", "kill-leader,flood"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown fault flood")
                .hasMessageContaining("slow-disk");
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--out", "/tmp/x", "--faults", "disk-ful"}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown fault disk-ful");
        assertThatThrownBy(() -> CampaignOptions.parse(new String[] {"--out", "/tmp/x", "--faults", ","}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--faults names no fault");
    }
}
