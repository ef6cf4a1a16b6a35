package io.varve.it.matrix;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** kafkajs 2.2.4 (npm, pinned by {@code it/clients/node/package-lock.json}), through {@code kafkajs_probe.js}. */
class KafkaJsMatrixIT extends ClientMatrix {
    private static final ScriptProbe KAFKAJS = new ScriptProbe() {
        @Override
        protected List<String> command() {
            return List.of("node", ClientPrograms.script("node/kafkajs_probe.js"));
        }

        @Override
        public String name() {
            return "kafkajs";
        }

        @Override
        public String expectedVersion() {
            return "client kafkajs 2.2.4";
        }

        @Override
        public List<String> codecs() {
            return ClientPrograms.EVERY_CODEC;
        }

        @Override
        public boolean idempotence() {
            return true;
        }

        @Override
        public Set<Report> reports() {
            // a kafkajs consumer cannot tell its position: it says it is ready after its first fetch
            return EnumSet.complementOf(EnumSet.of(Report.POSITION));
        }

        @Override
        public List<String> expectedUnknownTopic() {
            return List.of("error UNKNOWN_TOPIC_OR_PARTITION");
        }

        @Override
        public List<String> expectedOutOfRange(String firstRecord) {
            // no auto.offset.reset=none in kafkajs: it logs the broker's error and resets to the beginning
            return List.of(firstRecord, "error OFFSET_OUT_OF_RANGE");
        }
    };

    @Test
    void readCommittedSeesExactlyTheCommittedTransactions() throws Exception {
        TransactionalScenario.run(node, KAFKAJS);
    }

    @Override
    ClientProbe probe() {
        return KAFKAJS;
    }
}
