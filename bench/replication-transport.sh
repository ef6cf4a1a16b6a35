#!/usr/bin/env bash
# The measurement that chose how record bytes travel between replicas (docs/replication.md): the
# same segments pulled with Kafka's Fetch from a Varve node's listener, and over Pekko Artery.
#   bench/replication-transport.sh [MB] [ROUNDS]      (default 256 MB, 3 rounds)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ ! -f bench/target/bench.classpath ] || [ -n "$(find "$root" -path '*/src/main/*' -newer bench/target/bench.classpath -print -quit)" ]; then
  (timeout 1200 mvn -B -q -o -DskipTests package -pl bench -am)
  touch bench/target/bench.classpath
fi
exec timeout 1800 java -Xmx1g -cp "bench/target/classes:$(cat bench/target/bench.classpath)" \
  io.varve.bench.ReplicationTransportBenchmark "${1:-256}" "${2:-3}"
