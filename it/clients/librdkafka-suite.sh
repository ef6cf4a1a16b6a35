#!/usr/bin/env bash
# librdkafka's own integration tests (tests/test-runner of a librdkafka release) against a Varve
# node this script starts. Not part of `mvn -B verify`: building librdkafka takes ~5 minutes and the
# run ~30 on 2 cores. Results and the reasons for each failure: docs/compatibility.md.
#
#   it/clients/librdkafka-suite.sh [TEST ...]        # default: every test in SUITE below
#
# Exits 0 only when every test run passed.
#
# Environment (all optional):
#   LIBRDKAFKA_SRC   librdkafka source tree at v2.15.0 (default /tmp/librdkafka-2.15.0; cloned from
#                    GitHub when missing; built on first use with the flags below)
#   PORT             Kafka listener port (default 19100; PORT+1 is the cluster port)
#   RESULTS          directory for one log per test and summary.txt (default target/librdkafka-suite)
#   TEST_KAFKA_VERSION  the Kafka version whose behaviour the tests expect (default 4.3.1)
#
# Requires: gcc, g++, make, libssl-dev, zlib1g-dev and rapidjson-dev (0053, 0098, 0110 skip without
# it) (Debian: apt-get install build-essential libssl-dev zlib1g-dev rapidjson-dev), a JDK and Maven
# (for the node and Kafka's kafka-topics.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
src=${LIBRDKAFKA_SRC:-/tmp/librdkafka-2.15.0}
port=${PORT:-19100}
results=${RESULTS:-$root/target/librdkafka-suite}
export TEST_KAFKA_VERSION=${TEST_KAFKA_VERSION:-4.3.1}

# What one PLAINTEXT node with auto-created 6-partition topics can run: librdkafka's broker tests
# minus SSL/SASL/OAUTH (0097, 0115, 0119, 0126, 0135, 0142), multi-broker and rack tests (0101),
# 0122 (expects exactly 4 partitions per auto-created topic), socket-emulation tests, known-issue
# tests, the "noautocreate" scenario and share groups (KIP-932, not built).
SUITE="0001 0002 0003 0005 0007 0008 0011 0012 0013 0014 0015 0016 0017 0018 0019 0020 0021 0022
0026 0029 0030 0031 0033 0034 0035 0036 0038 0039 0040 0041 0042 0044 0045 0048 0050 0051 0052
0053 0054 0055 0056 0057 0059 0060 0061 0063 0064 0065 0067 0069 0070 0073 0077 0081 0082 0083 0084
0085 0086 0089 0090 0091 0092 0093 0098 0099 0102 0103 0109 0110 0112 0113 0114 0118 0123 0125 0127
0129 0130 0132 0137 0140"
tests=("$@")
[ ${#tests[@]} -gt 0 ] || read -r -a tests <<< "$(echo $SUITE)"

if [ ! -x "$src/tests/test-runner" ]; then
  if [ ! -d "$src" ]; then
    git clone --depth 1 --branch v2.15.0 https://github.com/confluentinc/librdkafka.git "$src"
  fi
  (cd "$src" && ./configure --disable-lz4-ext --disable-zstd --disable-curl --disable-gssapi --disable-sasl \
     && make -j2 libs && make -C tests test-runner)
fi

# kafka-topics.sh for the tests that create topics with configs (0052, 0077): Kafka's own tool
kafka_path=$(mktemp -d)
(cd "$root" && mvn -B -q -o -pl kafka-tools -am generate-resources) >/dev/null
mkdir -p "$kafka_path/bin"
cat > "$kafka_path/bin/kafka-topics.sh" <<EOF
#!/usr/bin/env bash
exec java -XX:TieredStopAtLevel=1 -cp "$(cat "$root/kafka-tools/target/kafka-tools.classpath")" \
  -Dlogback.configurationFile="$root/it/src/test/resources/kafka-tools-logback.xml" \
  org.apache.kafka.tools.TopicCommand "\$@"
EOF
chmod +x "$kafka_path/bin/kafka-topics.sh"

# The node runs from a snapshot of this build (bin/varve, the config and every jar), so rebuilding
# the repository while the suite runs cannot change the classes under the running node.
(cd "$root" && mvn -B -q -DskipTests package -pl actors -am)
snap=$(mktemp -d)
mkdir -p "$snap/bin" "$snap/actors/target" "$snap/lib"
cp "$root/bin/varve" "$snap/bin/" && cp "$root/application.conf" "$root/pom.xml" "$snap/"
cp "$root"/actors/target/varve-actors-*.jar "$snap/actors/target/"
snap_cp=()
for jar in $(tr ':' ' ' < "$root/actors/target/node.classpath"); do
  case "$jar" in
    "$root"/*) cp "$jar" "$snap/lib/" && snap_cp+=("$snap/lib/$(basename "$jar")") ;;
    *) snap_cp+=("$jar") ;;
  esac
done
(IFS=:; echo "${snap_cp[*]}") > "$snap/actors/target/node.classpath"
touch "$snap/actors/target/node.classpath"   # newer than the copied pom.xml: bin/varve must not rebuild

mkdir -p "$results"
data=$(mktemp -d)
# no class-data archive: the snapshot is deleted afterwards, and writing one at exit takes ~30 s
VARVE_CDS=off "$snap/bin/varve" start -Dvarve.data-dir="$data" -Dvarve.transport.port="$port" \
  -Dvarve.cluster.port=$((port + 1)) \
  -Dvarve.transport.num-partitions=6 -Dvarve.controller.default-partitions=6 \
  > "$results/varve.log" 2>&1 &
varve=$!
# (set -e applies in the trap too: the stopped node's status 143 must not become the script's)
trap 'kill $varve 2>/dev/null; wait $varve 2>/dev/null || true; rm -rf "$data" "$kafka_path" "$snap"' EXIT
# the node runs from the snapshot (no build), but a loaded machine can take minutes to start it
up=false
for _ in $(seq 1 900); do
  if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then up=true; break; fi
  kill -0 $varve 2>/dev/null || break
  sleep 1
done
$up || { echo "the node did not open port $port; see $results/varve.log" >&2; exit 1; }

cat > "$src/tests/test.conf" <<EOF
bootstrap.servers=127.0.0.1:$port
test.timeout.multiplier=1.5
test.topic.random=true
EOF
export KAFKA_PATH=$kafka_path BROKERS=127.0.0.1:$port
export LD_LIBRARY_PATH="$src/src:$src/src-cpp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

: > "$results/summary.txt"
passed=0
for t in "${tests[@]}"; do
  start=$(date +%s)
  if (cd "$src/tests" && TESTS=$t timeout 900 ./test-runner -p1 -L) > "$results/$t.log" 2>&1; then
    outcome=PASSED
    passed=$((passed + 1))
  else
    outcome=FAILED
  fi
  grep -q "SKIPPED" "$results/$t.log" && outcome="$outcome (skipped parts: $(grep -c SKIP "$results/$t.log"))"
  echo "$t $outcome $(( $(date +%s) - start ))s" | tee -a "$results/summary.txt"
done
echo "passed $passed of ${#tests[@]}" | tee -a "$results/summary.txt"
[ "$passed" -eq "${#tests[@]}" ]   # the exit status: 0 only when every test passed
