package io.varve.it.matrix;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * confluent-kafka-python 1.7.0 on librdkafka 2.0.2 (Debian 12's {@code python3-confluent-kafka}),
 * through {@code it/clients/python/confluent_probe.py}.
 */
class ConfluentKafkaPythonMatrixIT extends ClientMatrix {
    private static final ScriptProbe CONFLUENT = new Librdkafka202Probe() {
        @Override
        protected List<String> command() {
            return List.of(ClientPrograms.DEBIAN_PYTHON, ClientPrograms.script("python/confluent_probe.py"));
        }

        @Override
        public String name() {
            return "confluent-kafka";
        }

        @Override
        public String expectedVersion() {
            return "client confluent-kafka 1.7.0 librdkafka 2.0.2";
        }

        @Override
        public Set<Report> reports() {
            return EnumSet.allOf(Report.class);
        }

        @Override
        public List<String> expectedUnknownTopic() {
            return List.of("error UNKNOWN_TOPIC_OR_PART");
        }

        @Override
        public List<String> expectedOutOfRange(String firstRecord) {
            // librdkafka reports the broker's OFFSET_OUT_OF_RANGE as the reset it may not do
            return List.of("error _AUTO_OFFSET_RESET True");
        }
    };

    @Test
    void readCommittedSeesExactlyTheCommittedTransactions() throws Exception {
        TransactionalScenario.run(node, CONFLUENT);
    }

    @Override
    ClientProbe probe() {
        return CONFLUENT;
    }
}
