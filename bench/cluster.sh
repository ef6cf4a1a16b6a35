#!/usr/bin/env bash
# Three-node mode of the benchmark (bench/run.sh --cluster): three Varve nodes (bin/varve cluster
# start: PostgreSQL journal) against three Apache Kafka 4.3.1 brokers (KRaft, each broker and
# controller), all on this machine, topics with replication factor 3 and min.insync.replicas 2,
# measured with Kafka's own tools and bench's FailoverProbe. Results: bench/target/results-cluster.md.
#
#   bench/cluster.sh [--quick] [--rounds N] [--failover-only]
#
# Per round and system: ProducerPerformance acks=all (100 B and 1 KiB records, 6 partitions),
# EndToEndLatency acks=all (1 partition), and the failover time: kill -9 of a partition leader (not
# the controller's node) to the first acknowledged acks=all produce (--failover-only: that alone).
# Record counts: BENCH_N100, BENCH_N1K, BENCH_E2E; BENCH_MAX_SECONDS bounds the run; BENCH_PORTS=LOW-HIGH
# confines the ports brokers listen on. Every broker is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

args="$*"
quick=0
rounds=3
failover_only=0
usage() { echo "usage: bench/cluster.sh [--quick] [--rounds N] [--failover-only]" >&2; exit 64; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; rounds=1; shift ;;
    --rounds) [ $# -ge 2 ] || usage; rounds="$2"; shift 2 ;;
    --failover-only) failover_only=1; shift ;;
    *) usage ;;
  esac
done
if [ "$quick" = 1 ]; then
  n100=${BENCH_N100:-200000}; n1k=${BENCH_N1K:-40000}; ne2e=${BENCH_E2E:-500}; max_seconds=${BENCH_MAX_SECONDS:-1800}
else
  n100=${BENCH_N100:-1500000}; n1k=${BENCH_N1K:-300000}; ne2e=${BENCH_E2E:-3000}; max_seconds=${BENCH_MAX_SECONDS:-5400}
fi

run="$root/bench/target/run-cluster"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
metrics="$run/metrics.tsv"
failures="$run/failures.tsv"
kafka_pids=()
varve_dir=""
watchdog_pid=""

cleanup() {
  trap - EXIT INT TERM
  stop_pid "$tool_pid" 2
  # an exit before the brokers' functions are defined (a failed build) has nothing to stop
  if declare -F stop_kafka_cluster >/dev/null; then
    stop_kafka_cluster
    stop_varve_cluster
  fi
  if [ -n "$watchdog_pid" ]; then
    pkill -P "$watchdog_pid" 2>/dev/null || true
    kill "$watchdog_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM
exec 3>&2
(sleep "$max_seconds"; echo "bench: overall limit of ${max_seconds}s reached, stopping" >&3; kill -TERM $$) 2>/dev/null &
watchdog_pid=$!
disown "$watchdog_pid"

bench_prepare
: >"$metrics"
: >"$failures"
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$metrics"; }
fail() {
  local why
  why=$(grep -m1 -E 'Exception|ERROR|Error|failed' "$4" 2>/dev/null | cut -c1-240 || true)
  [ -n "$why" ] || why="no result line (exit status $5); see $(basename "$4")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(basename "$4")" "$why" >>"$failures"
  log "$1 round $2: $3 failed: $why"
}

# ---------------------------------------------------------------- Kafka: three KRaft nodes
start_kafka_cluster() {  # start_kafka_cluster NAME: sets bootstrap, pids
  local name=$1 n voters="" cluster_id
  local -a ports cports formats
  for n in 1 2 3; do ports[$n]=$(free_port); cports[$n]=$(free_port); done
  for n in 1 2 3; do voters="$voters${voters:+,}$n@127.0.0.1:${cports[$n]}"; done
  cluster_id=$(timeout 60 java $tool_jvm -cp "$kafka_cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  bootstrap=""
  for n in 1 2 3; do
    local dir="$run/kafka-$name-$n"
    mkdir -p "$dir/data"
    cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:${ports[$n]},CONTROLLER://127.0.0.1:${cports[$n]}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports[$n]}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
group.initial.rebalance.delay.ms=0
initial.broker.registration.timeout.ms=300000
PROPS
    timeout 180 java $tool_jvm -Dlog4j2.configurationFile="$run/log4j2-tools.properties" -cp "$kafka_cp" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" >"$logs/kafka-$name-$n-format.log" 2>&1 &
    formats[$n]=$!
  done
  for n in 1 2 3; do wait "${formats[$n]}" || log "kafka $name: formatting node $n failed (see its format log)"; done
  # all three formatted before any starts: a broker that cannot register with the quorum within
  # initial.broker.registration.timeout.ms shuts down (formatting takes a minute on a loaded machine)
  for n in 1 2 3; do
    local dir="$run/kafka-$name-$n"
    java $broker_jvm -Dlog4j2.configurationFile="$run/log4j2-broker.properties" -Dkafka.logs.dir="$dir" \
      -cp "$kafka_cp" kafka.Kafka "$dir/server.properties" >"$logs/kafka-$name-$n-broker.log" 2>&1 &
    kafka_pids[$n]=$!
    bootstrap="$bootstrap${bootstrap:+,}127.0.0.1:${ports[$n]}"
  done
  pids="1=${kafka_pids[1]},2=${kafka_pids[2]},3=${kafka_pids[3]}"
  wait_brokers kafka "$name"
}

stop_kafka_cluster() {
  local n
  for n in 1 2 3; do stop_pid "${kafka_pids[$n]:-}" 30; kafka_pids[$n]=""; done
}

# ---------------------------------------------------------------- Varve: bin/varve cluster
varve_env() {
  VARVE_CLUSTER_DIR="$varve_dir" VARVE_CLUSTER_KAFKA_PORT="$varve_kafka" VARVE_CLUSTER_PORT_BASE="$varve_cport" \
    VARVE_CLUSTER_PG_PORT="$varve_pg" VARVE_CLUSTER_EXTRA_CONFIG="$run/varve-extra.conf" VARVE_SKIP_BUILD=1 \
    VARVE_CLUSTER_START_TIMEOUT="${VARVE_CLUSTER_START_TIMEOUT:-600}" \
    JAVA_OPTS="$broker_jvm" "$@"
}

start_varve_cluster() {  # start_varve_cluster NAME: sets bootstrap, pids
  local name=$1
  varve_dir="$run/varve-$name"
  varve_kafka=$(free_block 3); varve_cport=$(free_block 3); varve_pg=$(free_port)
  # as Kafka's group.initial.rebalance.delay.ms=0
  echo 'varve.group.initial-rebalance-delay = 0s' >"$run/varve-extra.conf"
  varve_env "$root/bin/varve" cluster start >"$logs/varve-$name-cluster-start.log" 2>&1
  bootstrap="127.0.0.1:$varve_kafka,127.0.0.1:$((varve_kafka + 1)),127.0.0.1:$((varve_kafka + 2))"
  pids="1=$(cat "$varve_dir/node-1.pid"),2=$(cat "$varve_dir/node-2.pid"),3=$(cat "$varve_dir/node-3.pid")"
  wait_brokers varve "$name"
}

stop_varve_cluster() {
  [ -n "$varve_dir" ] || return 0
  varve_env "$root/bin/varve" cluster stop >>"$logs/varve-cluster-stop.log" 2>&1 || true
  varve_dir=""
}

wait_brokers() {  # wait_brokers SYSTEM NAME: until all three brokers are registered (an RF 3 topic is accepted)
  local attempt
  for attempt in $(seq 1 24); do
    if tool 60 "$logs/$1-$2-ready.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
      --create --if-not-exists --topic ready --partitions 1 --replication-factor 3; then
      return 0
    fi
    sleep 5  # the brokers are still registering: try again
  done
  log "$1 $2: the cluster did not accept an RF 3 topic within 2 minutes; see $logs/$1-$2-ready.log"
}

# ---------------------------------------------------------------- one system, one round
measure() {  # measure SYSTEM ROUND
  local sys=$1 r=$2
  "start_${sys}_cluster" "r$r"
  log "$sys round $r: cluster on $bootstrap (pids $pids)"
  [ "$failover_only" = 1 ] || measure_load "$sys" "$r"
  measure_failover "$sys" "$r"
  "stop_${sys}_cluster"
  log "$sys round $r: done"
}

measure_load() {  # measure_load SYSTEM ROUND: produce throughput and end-to-end latency
  local sys=$1 r=$2 out line t size count rc
  for t in p100 p1k; do
    tool 120 "$logs/$sys-r$r-create-$t.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
      --create --topic "$t" --partitions "$partitions" --replication-factor 3 --config min.insync.replicas=2 \
      || fail "$sys" "$r" "create-$t" "$logs/$sys-r$r-create-$t.log" "$?"
  done
  for w in "p100 100 $n100" "p1k 1024 $n1k"; do
    read -r t size count <<<"$w"
    out="$logs/$sys-r$r-produce-$t.log"
    log "$sys round $r: ProducerPerformance $t ($count x $size B, acks=all, RF 3)"
    rc=0
    tool 900 "$out" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$bootstrap" --topic "$t" \
      --num-records "$count" --record-size "$size" --throughput -1 \
      --command-property acks=all $producer_props || rc=$?
    line=$(grep -E '^[0-9]+ records sent, .*99\.9th' "$out" | tail -1 || true)
    if [ "$rc" != 0 ] || [ -z "$line" ]; then fail "$sys" "$r" "produce-$t" "$out" "$rc"; continue; fi
    record "$sys" "$r" "c3_produce_${t}_rps" "$(sed -E 's/^[0-9]+ records sent, ([0-9.]+) records\/sec.*/\1/' <<<"$line")"
    record "$sys" "$r" "c3_produce_${t}_mbs" "$(sed -E 's/.*records\/sec \(([0-9.]+) MB\/sec\).*/\1/' <<<"$line")"
    record "$sys" "$r" "c3_produce_${t}_p99_ms" "$(sed -E 's/.* ([0-9]+) ms 99th.*/\1/' <<<"$line")"
  done

  out="$logs/$sys-r$r-e2e.log"
  log "$sys round $r: EndToEndLatency ($ne2e x 100 B, acks=all, RF 3)"
  tool 120 "$logs/$sys-r$r-create-e2e.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
    --create --topic e2e --partitions 1 --replication-factor 3 --config min.insync.replicas=2 || true
  rc=0
  tool 300 "$out" org.apache.kafka.tools.EndToEndLatency --bootstrap-server "$bootstrap" --topic e2e \
    --num-records "$ne2e" --producer-acks all --record-size 100 || rc=$?
  line=$(grep -E '^Percentiles: 50th = ' "$out" | tail -1 || true)
  if [ -z "$line" ]; then
    fail "$sys" "$r" e2e "$out" "$rc"
  else
    record "$sys" "$r" c3_e2e_p50_ms "$(sed -E 's/.*50th = ([0-9]+).*/\1/' <<<"$line")"
    record "$sys" "$r" c3_e2e_p99_ms "$(sed -E 's/.*99th = ([0-9]+).*/\1/' <<<"$line")"
  fi
}

measure_failover() {  # measure_failover SYSTEM ROUND: leader kill -9 to the first acknowledged acks=all produce
  local sys=$1 r=$2 out line rc
  out="$logs/$sys-r$r-failover.log"
  log "$sys round $r: failover (kill -9 of a partition leader, then the first acks=all produce)"
  rc=0
  timeout 300 java $tool_jvm -cp "$probe_cp" io.varve.bench.FailoverProbe "$bootstrap" failover "$pids" \
    >"$out" 2>&1 || rc=$?
  line=$(grep -o 'failover-ms=[0-9]*' "$out" || true)
  if [ -z "$line" ]; then fail "$sys" "$r" failover "$out" "$rc"; else record "$sys" "$r" c3_failover_ms "${line#failover-ms=}"; fi
}

log "three-node mode: rounds=$rounds N100=$n100 N1K=$n1k e2e=$ne2e (logs in $logs)"
started=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for ((round = 1; round <= rounds; round++)); do
  for sys in kafka varve; do measure "$sys" "$round"; done
done
log "all rounds finished in $(( $(date +%s) - started ))s"
{
  echo "# Varve vs Apache Kafka 4.3.1, three nodes each ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "- machine: $(nproc) CPUs, $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM; all six brokers (three at a time) on it"
  echo "- JVM: $(java -version 2>&1 | head -1); brokers: $broker_jvm"
  echo "- topics: replication factor 3, min.insync.replicas 2; producer acks=all, $producer_props"
  echo "- Varve: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)\
$([ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)'); command: bench/run.sh --cluster $args"
  echo "- load average at start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
  echo
  python3 "$root/bench/summarize.py" "$metrics" "$failures" \
    "rounds=$rounds, 100 B records: $n100, 1 KiB records: $n1k, e2e records: $ne2e"
} >"$target/results-cluster.md"
cat "$target/results-cluster.md"
