#!/usr/bin/env bash
# Issue 16: time to the first acknowledged produce of
#   varve    a test class using the varve-junit5 extension (@VarveTest, one topic), from the
#            extension's start (its beforeAll) in a fresh JVM (EmbeddedStartupProbe);
#   varve-nopreload  the same with the embedded node's class preloading off
#            (-Dvarve.embedded.preload-classes=false; on by default), measured in the same rounds;
#   testkit  Apache Kafka 4.3.1's own in-JVM test broker, KafkaClusterTestKit (one combined
#            broker+controller), from its build in a fresh JVM (kafka-testkit/src/KafkaTestKitProbe.java);
#   process  Apache Kafka 4.3.1 started as a process (bench/lib.sh's start_kafka, storage formatted
#            before the launch), from the launch (FirstProduceProbe).
# Each in-JVM probe also reports the time from its JVM's launch, and then starts again
# BENCH_WARM_STARTS times (default 10) in the same JVM, as a build's later test classes each get a
# node: the median of those warm starts (to the ack) and of the whole warm test class (started,
# produced, closed). The four alternate in rotating order for BENCH_ROUNDS rounds (default 5).
# Each round also measures the floor of a first start (StartFloorProbe, one step per fresh JVM):
# a bare Pekko ActorSystem and a bare one-node Pekko cluster (class paths of those jars only), an
# ActorSystem on the node's class path, Kafka's protocol schemas, and a producer's first produce
# to the Kafka process of that round.
# Results: bench/target/startup-embedded.md.
# Usage: bench/startup-embedded.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
run="$root/bench/target/startup-embedded"
rounds=${BENCH_ROUNDS:-5}
warm_starts=${BENCH_WARM_STARTS:-10}
# shellcheck source=lib.sh
source "$root/bench/lib.sh"

cleanup() { stop_broker >/dev/null 2>&1 || true; }
trap cleanup EXIT

bench_prepare
testkit_cp_file="$target/kafka-testkit.classpath"
if [ ! -s "$testkit_cp_file" ] || [ "$root/bench/kafka-testkit/pom.xml" -nt "$testkit_cp_file" ]; then
  log "resolving Kafka 4.3.1's test kit (KafkaClusterTestKit) with Maven into $target"
  timeout 900 mvn -B -q -o -f "$root/bench/kafka-testkit/pom.xml" generate-resources >/dev/null 2>&1 \
    || timeout 900 mvn -B -q -f "$root/bench/kafka-testkit/pom.xml" generate-resources
  touch "$testkit_cp_file"
fi
testkit_cp="$target/kafka-testkit-classes:$(cat "$testkit_cp_file")"
mkdir -p "$target/kafka-testkit-classes"
javac -d "$target/kafka-testkit-classes" -cp "$(cat "$testkit_cp_file")" \
  "$root/bench/kafka-testkit/src/KafkaTestKitProbe.java"

probe_jvm="-Xmx1g -XX:+UseG1GC"
results="$run/results.tsv"
: >"$results"

measure_varve() {
  local out="$logs/varve-r$1.log"
  timeout 300 java $probe_jvm -cp "$probe_cp" io.varve.bench.EmbeddedStartupProbe "$(date +%s%3N)" "$warm_starts" >"$out" 2>&1 || true
  record varve "$1" "$out"
}

measure_varve_nopreload() {
  local out="$logs/varve-nopreload-r$1.log"
  timeout 300 java $probe_jvm -Dvarve.embedded.preload-classes=false -cp "$probe_cp" \
    io.varve.bench.EmbeddedStartupProbe "$(date +%s%3N)" "$warm_starts" >"$out" 2>&1 || true
  record varve-nopreload "$1" "$out"
}

measure_testkit() {
  local out="$logs/testkit-r$1.log"
  timeout 300 java $probe_jvm -Dlog4j2.configurationFile="$run/log4j2-tools.properties" -cp "$testkit_cp" \
    KafkaTestKitProbe "$(date +%s%3N)" "$warm_starts" >"$out" 2>&1 || true
  record testkit "$1" "$out"
}

# the jars of a bare Pekko node, taken from the probes' class path
bare_jars() { tr ':' '\n' <"$target/bench.classpath" | grep -E "/($1)[^/]*[.]jar$" | paste -sd:; }
pekko_local_cp="$target/classes:$(bare_jars 'scala-library|pekko-actor_|pekko-actor-typed_|config-|slf4j-api')"
pekko_cluster_cp="$target/classes:$(bare_jars 'scala-library|pekko-actor_|pekko-actor-typed_|config-|slf4j-api|pekko-remote_|pekko-cluster_|pekko-cluster-typed_|pekko-stream_|pekko-protobuf-v3_|pekko-pki_|asn-one|reactive-streams|pekko-coordination_|pekko-distributed-data_|agrona')"

floor() {  # floor NAME ROUND CLASSPATH STEP ARGS...: one StartFloorProbe step in a fresh JVM
  local name=$1 round=$2 cp=$3 step=$4 out ms
  shift 3
  out="$logs/floor-$name-r$round.log"
  timeout 120 java $probe_jvm -cp "$cp" io.varve.bench.StartFloorProbe "$@" >"$out" 2>&1 || true
  ms=$(sed -n "s/^floor-$step-ms=//p" "$out")
  printf 'floor-%s\t%s\tms\t%s\n' "$name" "$round" "${ms:-n/a}" >>"$results"
}

measure_floors() {  # the bare-stack steps; the producer's is measured with the Kafka process
  floor pekko-local "$1" "$pekko_local_cp" local
  floor pekko-cluster "$1" "$pekko_cluster_cp" cluster
  floor node-cp-local "$1" "$probe_cp" local
  floor schemas "$1" "$probe_cp" schemas
  log "round $1 floors: $(grep -P "^floor-[^\t]+\t$1\t" "$results" | cut -f1,4 | paste -sd' ')"
}

measure_process() {
  start_kafka "r$1"
  wait_first_produce kafka "r$1" || true
  floor produce "$1" "$probe_cp" produce "127.0.0.1:$port" "floor-probe-r$1"
  local ms
  ms=$(sed -n 's/^first-produce-ms=//p' "$logs/kafka-r$1-startup.log")
  printf 'process\t%s\tlaunch-to-ack\t%s\n' "$1" "${ms:-n/a}" >>"$results"
  log "round $1 process: launch-to-ack ${ms:-n/a} ms"
  stop_broker
}

median_of() {  # median_of KEY LOG: the median of the comma-separated values of KEY=a,b,... in LOG, or n/a
  sed -n "s/^$1=//p" "$2" | python3 -c 'import statistics, sys
v = sys.stdin.read().strip()
print(round(statistics.median(map(int, v.split(",")))) if v and "failed" not in v else "n/a")'
}

record() {  # record SYSTEM ROUND LOG
  local start launch cpu ready
  start=$(sed -n 's/^start-to-ack-ms=//p' "$3")
  ready=$(sed -n 's/^start-to-ready-ms=//p' "$3")
  printf '%s\t%s\tstart-to-ready\t%s\n' "$1" "$2" "${ready:-n/a}" >>"$results"
  printf '%s\t%s\tload\t%s\n' "$1" "$2" "$(cut -d' ' -f1 /proc/loadavg)" >>"$results"
  launch=$(sed -n 's/^launch-to-ack-ms=//p' "$3")
  cpu=$(sed -n 's/^cpu-to-ack-ms=//p' "$3")
  printf '%s\t%s\tstart-to-ack\t%s\n%s\t%s\tlaunch-to-ack\t%s\n%s\t%s\tcpu-to-ack\t%s\n' \
    "$1" "$2" "${start:-n/a}" "$1" "$2" "${launch:-n/a}" "$1" "$2" "${cpu:-n/a}" >>"$results"
  log "round $2 $1: start-to-ack ${start:-n/a} ms, launch-to-ack ${launch:-n/a} ms, JVM CPU ${cpu:-n/a} ms"
  local warm class
  warm=$(median_of warm-start-to-ack-ms "$3")
  class=$(median_of warm-class-ms "$3")
  printf '%s\t%s\twarm-start-to-ack\t%s\n%s\t%s\twarm-class\t%s\n' "$1" "$2" "$warm" "$1" "$2" "$class" >>"$results"
  log "round $2 $1: warm starts (median of $warm_starts) start-to-ack $warm ms, whole test class $class ms"
}

order=(varve testkit varve_nopreload process)
for ((r = 1; r <= rounds; r++)); do
  for ((i = 0; i < 4; i++)); do
    "measure_${order[(i + r - 1) % 4]}" "$r"
  done
  measure_floors "$r"
done

python3 - "$results" "$rounds" "$warm_starts" >"$target/startup-embedded.md" <<'PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
def values(system, metric):
    return [int(v) for s, _, m, v in rows if s == system and m == metric and v.isdigit()]
def med(system, metric):
    v = values(system, metric)
    return statistics.median(v) if v else float("nan")
print(f"{sys.argv[2]} rounds, medians in ms (per-round values in brackets)\n")
loads = [float(v) for _, _, m, v in rows if m == "load"]
if loads:
    print(f"1-minute load average on the machine's 2 CPUs after each in-JVM probe: {min(loads):.1f}-{max(loads):.1f}\n")
print("| system | from its start | from the JVM launch | JVM CPU time until the ack |")
print("|---|---|---|---|")
names = {"varve": "Varve, varve-junit5 extension", "varve-nopreload": "Varve, class preloading off", "testkit": "Kafka 4.3.1 KafkaClusterTestKit (in-JVM)", "process": "Kafka 4.3.1 as a process"}
for s in ("varve", "varve-nopreload", "testkit", "process"):
    start = f"{med(s, 'start-to-ack'):,.0f} {values(s, 'start-to-ack')}" if s != "process" else "—"
    cpu = f"{med(s, 'cpu-to-ack'):,.0f} {values(s, 'cpu-to-ack')}" if s != "process" else "—"
    print(f"| {names[s]} | {start} | {med(s, 'launch-to-ack'):,.0f} {values(s, 'launch-to-ack')} | {cpu} |")
fastest_kafka = min(med("testkit", "start-to-ack"), med("process", "launch-to-ack"))
print(f"\nVarve (from the extension's start) / fastest Kafka (test kit from its start, process from its launch): "
      f"{med('varve', 'start-to-ack') / fastest_kafka:.2f} (target <= 0.5)")
fastest_launch = min(med("testkit", "launch-to-ack"), med("process", "launch-to-ack"))
print(f"Varve / fastest Kafka, all from the JVM launch: {med('varve', 'launch-to-ack') / fastest_launch:.2f}")
print(f"Varve / Kafka test kit, JVM CPU time until the ack: {med('varve', 'cpu-to-ack') / med('testkit', 'cpu-to-ack'):.2f}")
print(f"Varve without class preloading / fastest Kafka: {med('varve-nopreload', 'start-to-ack') / fastest_kafka:.2f}; "
      f"its JVM CPU / the test kit's: {med('varve-nopreload', 'cpu-to-ack') / med('testkit', 'cpu-to-ack'):.2f}")
print(f"\nIn a warm JVM: {sys.argv[3]} more starts in each in-JVM probe's JVM after the first (a build's later "
      "test classes), the median of each JVM's starts, then the median over the rounds\n")
print("| system | from its start to the ack | whole test class (start, produce, close) |")
print("|---|---|---|")
for s in ("varve", "varve-nopreload", "testkit"):
    print(f"| {names[s]} | {med(s, 'warm-start-to-ack'):,.0f} {values(s, 'warm-start-to-ack')} | "
          f"{med(s, 'warm-class'):,.0f} {values(s, 'warm-class')} |")
print(f"\nWarm JVM, Varve / Kafka test kit: to the ack {med('varve', 'warm-start-to-ack') / med('testkit', 'warm-start-to-ack'):.2f}, "
      f"whole test class {med('varve', 'warm-class') / med('testkit', 'warm-class'):.2f}")
def per_round(a, b, metric_a, metric_b):
    ra = {r: int(v) for s, r, m, v in rows if s == a and m == metric_a and v.isdigit()}
    rb = {r: int(v) for s, r, m, v in rows if s == b and m == metric_b and v.isdigit()}
    return ", ".join(f"{ra[r] / rb[r]:.2f}" for r in sorted(ra, key=int) if r in rb)
print(f"Per round, Varve / test kit from their starts: {per_round('varve', 'testkit', 'start-to-ack', 'start-to-ack')}; "
      f"CPU: {per_round('varve', 'testkit', 'cpu-to-ack', 'cpu-to-ack')}")
print(f"Per round, Varve without preloading / test kit from their starts: "
      f"{per_round('varve-nopreload', 'testkit', 'start-to-ack', 'start-to-ack')}; "
      f"CPU: {per_round('varve-nopreload', 'testkit', 'cpu-to-ack', 'cpu-to-ack')}")
print(f"\nWhere the first start goes, to the test method (the node up with its topic) and then the client's "
      f"produce: Varve {med('varve', 'start-to-ready'):,.0f} + {med('varve', 'start-to-ack') - med('varve', 'start-to-ready'):,.0f} ms, "
      f"test kit {med('testkit', 'start-to-ready'):,.0f} + {med('testkit', 'start-to-ack') - med('testkit', 'start-to-ready'):,.0f} ms")
floors = {"pekko-local": "a bare Pekko ActorSystem (pekko-actor-typed's jars only), created and terminated",
          "pekko-cluster": "a bare one-node Pekko cluster (cluster, remote and stream jars only), Up",
          "node-cp-local": "a Pekko ActorSystem on the node's class path (its serializers), created and terminated",
          "schemas": "Kafka's protocol schemas (ApiKeys) built",
          "produce": "a producer's first acknowledged produce to a running broker (another process)"}
print(f"\nThe floor of a first start: each step alone in a fresh JVM, from main (medians in ms; per round in brackets); "
      f"the target, 0.5 of the fastest Kafka, is {0.5 * fastest_kafka:,.0f} ms\n")
print("| step | ms | share of the target's budget |")
print("|---|---|---|")
for key, text in floors.items():
    print(f"| {text} | {med('floor-' + key, 'ms'):,.0f} {values('floor-' + key, 'ms')} | {med('floor-' + key, 'ms') / (0.5 * fastest_kafka):.2f} |")
PY
cat "$target/startup-embedded.md"
