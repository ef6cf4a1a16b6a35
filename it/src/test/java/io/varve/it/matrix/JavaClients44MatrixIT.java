package io.varve.it.matrix;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/** kafka-clients 4.4.0 (the version the project builds with), through {@link JavaClientProbe} in a child JVM. */
class JavaClients44MatrixIT extends ClientMatrix {
    static ClientProbe javaProbe(String version, String classpath) {
        return new ScriptProbe() {
            @Override
            protected List<String> command() {
                return ClientPrograms.javaProbe(classpath);
            }

            @Override
            public String name() {
                return "kafka-clients";
            }

            @Override
            public String expectedVersion() {
                return "client kafka-clients " + version + " from kafka-clients-" + version + ".jar";
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
                return EnumSet.allOf(Report.class);
            }

            @Override
            public List<String> expectedUnknownTopic() {
                return List.of("error UnknownTopicOrPartitionException");
            }

            @Override
            public List<String> expectedOutOfRange(String firstRecord) {
                return List.of("error OffsetOutOfRangeException {out-of-range-0=100}");
            }
        };
    }

    private static final ClientProbe CLIENTS_44 = javaProbe("4.4.0", ClientPrograms.clients44Classpath());

    @Override
    ClientProbe probe() {
        return CLIENTS_44;
    }
}
