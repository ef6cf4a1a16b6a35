package io.varve.it.sweep;

/**
 * What one API does at one version in the sweep: realistic requests of that version through the
 * real listener, with assertions on the exact answers (offsets, records, error codes) Kafka gives at
 * that version.
 */
@FunctionalInterface
interface VersionScenario {
    void run(SweepContext sweep, short version) throws Exception;
}
