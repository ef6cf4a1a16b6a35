package io.varve.it.matrix;

import java.util.List;
import java.util.Set;

/** kcat 1.7.1 on librdkafka 2.0.2 (Debian 12's {@code kcat}), through {@code it/clients/kcat/kcat_probe.sh}. */
class KcatMatrixIT extends ClientMatrix {
    private static final ClientProbe KCAT = new Librdkafka202Probe() {
        @Override
        protected List<String> command() {
            return List.of("bash", ClientPrograms.script("kcat/kcat_probe.sh"));
        }

        @Override
        public String name() {
            return "kcat";
        }

        @Override
        public String expectedVersion() {
            return "client kcat 1.7.1 librdkafka 2.0.2";
        }

        @Override
        public Set<Report> reports() {
            return Set.of(Report.POSITION);
        }

        @Override
        public List<String> expectedUnknownTopic() {
            return List.of("error Broker: Unknown topic or partition");
        }

        @Override
        public List<String> expectedOutOfRange(String firstRecord) {
            return List.of(
                    "error fetch failed due to requested offset not available on the broker: Broker: Offset out of range");
        }
    };

    @Override
    ClientProbe probe() {
        return KCAT;
    }
}
