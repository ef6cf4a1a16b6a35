package io.varve.it.matrix;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** kafka-python 2.0.2 (Debian 12's {@code python3-kafka}), through {@code it/clients/python/kafka_python_probe.py}. */
class KafkaPythonMatrixIT extends ClientMatrix {
    private static final ClientProbe KAFKA_PYTHON = new ScriptProbe() {
        @Override
        protected List<String> command() {
            return List.of(ClientPrograms.DEBIAN_PYTHON, ClientPrograms.script("python/kafka_python_probe.py"));
        }

        @Override
        public String name() {
            return "kafka-python";
        }

        @Override
        public String expectedVersion() {
            return "client kafka-python 2.0.2";
        }

        @Override
        public List<String> codecs() {
            return ClientPrograms.EVERY_CODEC;
        }

        @Override
        public boolean idempotence() {
            // kafka-python has no idempotent producer
            return false;
        }

        @Override
        public Set<Report> reports() {
            return EnumSet.allOf(Report.class);
        }

        @Override
        public List<String> expectedUnknownTopic() {
            return List.of("error UnknownTopicOrPartitionError");
        }

        @Override
        public List<String> expectedOutOfRange(String firstRecord) {
            return List.of("error OffsetOutOfRangeError");
        }
    };

    @Override
    ClientProbe probe() {
        return KAFKA_PYTHON;
    }
}
