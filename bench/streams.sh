#!/usr/bin/env bash
# In-process Pekko Streams stages vs pekko-connectors-kafka over loopback, same embedded node, same
# JVM (issue 16). Usage: bench/streams.sh [-Dbench.records=N -Dbench.rounds=R ...]
# Results: stdout and bench/target/streams.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o -pl bench -am package -DskipTests
exec java -Xmx2g -Xms2g -XX:+UseG1GC "$@" -cp "bench/target/classes:$(cat bench/target/bench.classpath)" \
  io.varve.bench.StreamsBenchmark
