#!/usr/bin/env bash
# Storage append throughput vs a raw sequential FileChannel.write of the same bytes (JMH).
# Usage: bench/storage-append.sh [extra JMH args]; results also in bench/target/storage-append.json
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl bench -am package -DskipTests
java -cp "bench/target/classes:$(cat bench/target/bench.classpath)" org.openjdk.jmh.Main \
  StorageAppendBenchmark -f 1 -wi 3 -w 2s -i 5 -r 3s -jvmArgs "-Xmx1g -Dbench.dir=bench/target" \
  -rf json -rff bench/target/storage-append.json "$@"
