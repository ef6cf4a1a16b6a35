package io.varve.connectors.sample;

import org.junit.jupiter.api.Test;

/** The samples docs/embedded.md shows run as they are (DocsSamplesTest checks the page quotes them). */
class SamplesTest {
    @Test
    void embeddedNodeSampleRuns() throws Exception {
        EmbeddedNodeSample.main(new String[0]);
    }

    @Test
    void streamsSampleRuns() throws Exception {
        StreamsSample.main(new String[0]);
    }
}
