package io.varve.it.matrix;

import java.util.List;

/**
 * What every client on Debian 12's librdkafka 2.0.2 (kcat, confluent-kafka-python) shares: it asks
 * for every codec, produces idempotently, and sends the batches librdkafka before 2.8 really sends.
 */
abstract class Librdkafka202Probe extends ScriptProbe {
    @Override
    public List<String> codecs() {
        return ClientPrograms.EVERY_CODEC;
    }

    /**
     * Asked for {@code codec} by a broker with Kafka 4's oldest versions (KIP-896: Produce from v3,
     * Fetch from v4), Apache Kafka 4.x or Varve, librdkafka before 2.8 checks for Produce v2 / Fetch
     * v2 for gzip, snappy and lz4, logs "Broker does not support compression type" and sends those
     * batches uncompressed (librdkafka issue 4956); zstd's check (Produce v7, Fetch v10) passes.
     */
    @Override
    public String expectedBatchCodec(String codec) {
        return codec.equals("zstd") ? "zstd" : "none";
    }

    @Override
    public boolean idempotence() {
        return true;
    }
}
