#!/usr/bin/env bash
# Varve against Apache Kafka 4.3.1, single node each, side by side on loopback, measured with Kafka's
# own load tools. Documented in docs/benchmarks.md; results in bench/target/results.md.
#
#   bench/run.sh [--quick] [--rounds N]
#
#   --quick     one round with small record counts: checks the harness in a few minutes
#   --rounds N  rounds of "Kafka then Varve" (default 3); each round starts both brokers afresh
#
# Record counts can be overridden with BENCH_N100, BENCH_N1K, BENCH_CONSUME, BENCH_E2E;
# BENCH_MAX_SECONDS bounds the whole run. Every step runs under `timeout`; brokers are killed on
# exit, whatever the exit path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

args="$*"
quick=0
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; rounds=1; shift ;;
    --rounds) [ $# -ge 2 ] || { echo "usage: bench/run.sh [--quick] [--rounds N]" >&2; exit 64; }
      rounds="$2"; shift 2 ;;
    *) echo "usage: bench/run.sh [--quick] [--rounds N]" >&2; exit 64 ;;
  esac
done

if [ "$quick" = 1 ]; then
  n100=${BENCH_N100:-300000}; n1k=${BENCH_N1K:-60000}; nconsume=${BENCH_CONSUME:-300000}
  ne2e=${BENCH_E2E:-500}; max_seconds=${BENCH_MAX_SECONDS:-900}
else
  n100=${BENCH_N100:-4000000}; n1k=${BENCH_N1K:-800000}; nconsume=${BENCH_CONSUME:-2000000}
  ne2e=${BENCH_E2E:-5000}; max_seconds=${BENCH_MAX_SECONDS:-5400}
fi
[ "$nconsume" -le "$n100" ] || { echo "bench: BENCH_CONSUME must not exceed BENCH_N100" >&2; exit 64; }

heap="-Xmx1g -Xms1g"
# the JVM flags kafka-server-start.sh uses; Varve gets the same ones
broker_jvm="$heap -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
-XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true"
tool_jvm="-Xmx512m"
producer_props="linger.ms=5 batch.size=65536"
partitions=6

target="$root/bench/target"
run="$target/run"
logs="$run/logs"
metrics="$run/metrics.tsv"
failures="$run/failures.tsv"

log() { echo "bench: $*" >&2; }

# ---------------------------------------------------------------- process bookkeeping
broker_pid=""
probe_pid=""
tool_pid=""
watchdog_pid=""

stop_pid() {  # stop_pid PID GRACE_SECONDS: TERM, then KILL after the grace period
  local pid=$1 grace=$2 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  trap - EXIT INT TERM
  stop_pid "$tool_pid" 2
  stop_pid "$probe_pid" 2
  if alive; then log "exit: stopping broker pid $broker_pid"; fi
  stop_pid "$broker_pid" 20
  if [ -n "$watchdog_pid" ]; then
    pkill -P "$watchdog_pid" 2>/dev/null || true  # its sleep
    kill "$watchdog_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- preparation
rm -rf "$run"
mkdir -p "$logs"
: >"$metrics"
: >"$failures"

# the watchdog's own stderr is discarded (the shell's "Terminated" when cleanup stops its sleep)
exec 3>&2
(sleep "$max_seconds"; echo "bench: overall limit of ${max_seconds}s reached, stopping" >&3; kill -TERM $$) 2>/dev/null &
watchdog_pid=$!
disown "$watchdog_pid"  # no job notice when cleanup stops it

kafka_cp_file="$target/kafka.classpath"
if [ ! -s "$kafka_cp_file" ] || [ "$root/bench/kafka-dist/pom.xml" -nt "$kafka_cp_file" ]; then
  log "resolving Apache Kafka 4.3.1 (broker, tools, log4j2) with Maven into $target"
  timeout 900 mvn -B -q -o -f bench/kafka-dist/pom.xml generate-resources 2>/dev/null \
    || timeout 900 mvn -B -q -f bench/kafka-dist/pom.xml generate-resources
fi
kafka_cp=$(cat "$kafka_cp_file")

node_cp_file="$root/actors/target/node.classpath"
bench_cp_file="$target/bench.classpath"
if [ ! -f "$node_cp_file" ] || [ ! -f "$bench_cp_file" ] \
   || [ -n "$(find "$root" -path '*/src/main/*' -newer "$bench_cp_file" -print -quit)" ]; then
  log "building Varve (mvn -o -DskipTests package -pl bench -am)"
  timeout 1200 mvn -B -q -o -DskipTests package -pl bench -am
  touch "$bench_cp_file"
fi
varve_cp="$root/actors/target/classes:$(cat "$node_cp_file")"
probe_cp="$target/classes:$(cat "$bench_cp_file")"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# log4j2 for the Kafka broker (INFO to its log file) and for the tools (WARN to stderr)
cat >"$run/log4j2-broker.properties" <<'EOF'
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
EOF
cat >"$run/log4j2-tools.properties" <<'EOF'
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = ERR
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
EOF

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$metrics"; }  # system round metric value

fail() {  # fail SYSTEM ROUND WORKLOAD LOG: the workload is reported n/a with the tool's first error
  local why
  why=$(grep -m1 -E 'Exception|ERROR|Error|WARNING: Exiting' "$4" 2>/dev/null | cut -c1-240 || true)
  [ -n "$why" ] || why="no result line (exit status $5); see $(basename "$4")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(basename "$4")" "$why" >>"$failures"
  log "$1 round $2: $3 failed: $why"
}

tool() {  # tool SECONDS LOG MAINCLASS ARGS...: one Kafka tool JVM, bounded, output to LOG
  local seconds=$1 out=$2 rc=0
  shift 2
  timeout "$seconds" java $tool_jvm -Dlog4j2.configurationFile="$run/log4j2-tools.properties" \
    -cp "$kafka_cp" "$@" >"$out" 2>&1 &
  tool_pid=$!
  wait "$tool_pid" || rc=$?
  tool_pid=""
  return "$rc"
}

cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo ""; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo ""; }
alive() { [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; }

# ---------------------------------------------------------------- brokers
start_kafka() {  # start_kafka ROUND: fresh data, storage formatted, broker launched
  local r=$1 dir="$run/kafka-r$1" cport
  port=$(free_port); cport=$(free_port)
  mkdir -p "$dir/data"
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  local cluster_id
  cluster_id=$(timeout 60 java $tool_jvm -cp "$kafka_cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  timeout 120 java $tool_jvm -Dlog4j2.configurationFile="$run/log4j2-tools.properties" -cp "$kafka_cp" \
    kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$dir/server.properties" \
    >"$logs/kafka-r$r-format.log" 2>&1
  launched_at=$(date +%s%3N)
  java $broker_jvm -Dlog4j2.configurationFile="$run/log4j2-broker.properties" -Dkafka.logs.dir="$dir" \
    -cp "$kafka_cp" kafka.Kafka "$dir/server.properties" >"$logs/kafka-r$r-broker.log" 2>&1 &
  broker_pid=$!
}

start_varve() {  # start_varve ROUND: fresh data directory, node launched as bin/varve start does
  local r=$1 dir="$run/varve-r$1"
  port=$(free_port)
  mkdir -p "$dir/data"
  cat >"$dir/bench.conf" <<EOF
include file("$root/application.conf")
varve.data-dir = "$dir/data"
varve.transport.port = $port
pekko.remote.artery.canonical.port = $(free_port)
EOF
  launched_at=$(date +%s%3N)
  java $broker_jvm -cp "$varve_cp" io.varve.actors.Main --config "$dir/bench.conf" \
    >"$logs/varve-r$r-broker.log" 2>&1 &
  broker_pid=$!
}

stop_broker() {
  log "stopping broker pid $broker_pid (SIGTERM, SIGKILL after 30 s)"
  stop_pid "$broker_pid" 30
  broker_pid=""
}

# ---------------------------------------------------------------- one system, one round
measure() {  # measure SYSTEM ROUND
  local sys=$1 r=$2 bootstrap out line ticks0 ticks1 produced=0
  "start_$sys" "$r"
  bootstrap="127.0.0.1:$port"
  log "$sys round $r: broker pid $broker_pid on $bootstrap"

  out="$logs/$sys-r$r-startup.log"
  timeout 150 java $tool_jvm -cp "$probe_cp" io.varve.bench.FirstProduceProbe "$bootstrap" startup-probe \
    "$launched_at" 120 >"$out" 2>&1 &
  probe_pid=$!
  wait "$probe_pid" || true
  probe_pid=""
  line=$(grep -o 'first-produce-ms=[0-9]*' "$out" || true)
  if [ -z "$line" ]; then
    fail "$sys" "$r" startup "$out" "-"
    stop_broker
    return 0
  fi
  record "$sys" "$r" startup_ms "${line#first-produce-ms=}"

  local t
  for t in p100-acks1 p1k-acks1 p100-acksall p1k-acksall e2e; do
    tool 120 "$logs/$sys-r$r-create-$t.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
      --create --topic "$t" --partitions "$partitions" --replication-factor 1 \
      || fail "$sys" "$r" "create-$t" "$logs/$sys-r$r-create-$t.log" "$?"
  done

  ticks0=$(cpu_ticks "$broker_pid")
  local w size count acks
  for w in "p100-acks1 100 $n100 1" "p1k-acks1 1024 $n1k 1" "p100-acksall 100 $n100 all" "p1k-acksall 1024 $n1k all"; do
    read -r t size count acks <<<"$w"
    out="$logs/$sys-r$r-produce-$t.log"
    log "$sys round $r: ProducerPerformance $t ($count x $size B, acks=$acks)"
    local rc=0
    tool 600 "$out" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$bootstrap" --topic "$t" \
      --num-records "$count" --record-size "$size" --throughput -1 \
      --command-property acks="$acks" $producer_props || rc=$?
    line=$(grep -E '^[0-9]+ records sent, .*99\.9th' "$out" | tail -1 || true)
    if [ "$rc" != 0 ] || [ -z "$line" ] || grep -qE '^(org\.apache\.kafka|java\.)[^ ]*(Exception|Error)' "$out"; then
      fail "$sys" "$r" "produce-$t" "$out" "$rc"
      continue
    fi
    produced=$((produced + count * size))
    record "$sys" "$r" "produce_${t}_rps" "$(sed -E 's/^[0-9]+ records sent, ([0-9.]+) records\/sec.*/\1/' <<<"$line")"
    record "$sys" "$r" "produce_${t}_mbs" "$(sed -E 's/.*records\/sec \(([0-9.]+) MB\/sec\).*/\1/' <<<"$line")"
    record "$sys" "$r" "produce_${t}_p99_ms" "$(sed -E 's/.* ([0-9]+) ms 99th.*/\1/' <<<"$line")"
  done
  ticks1=$(cpu_ticks "$broker_pid")
  if [ "$produced" -gt 0 ] && [ -n "$ticks0" ] && [ -n "$ticks1" ]; then
    record "$sys" "$r" cpu_s_per_gb \
      "$(awk -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" -v b="$produced" 'BEGIN { printf "%.2f", t / hz / (b / 1e9) }')"
  fi

  out="$logs/$sys-r$r-consume.log"
  log "$sys round $r: ConsumerPerformance ($nconsume x 100 B from p100-acks1)"
  local rc=0
  tool 180 "$out" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$bootstrap" --topic p100-acks1 \
    --num-records "$nconsume" --timeout 30000 --group "bench-$sys-$r" --hide-header || rc=$?
  # start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  line=$(grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} .*, .*, ' "$out" | tail -1 || true)
  if [ "$rc" != 0 ] || [ -z "$line" ] || grep -q 'WARNING: Exiting before consuming' "$out" \
     || [ "$(awk -F', *' '{ print $5 }' <<<"$line")" -lt "$nconsume" ]; then
    fail "$sys" "$r" consume "$out" "$rc"
  else
    record "$sys" "$r" consume_rps "$(awk -F', *' '{ print $10 }' <<<"$line")"
    record "$sys" "$r" consume_mbs "$(awk -F', *' '{ print $9 }' <<<"$line")"
  fi

  out="$logs/$sys-r$r-e2e.log"
  log "$sys round $r: EndToEndLatency ($ne2e x 100 B, acks=1, one in flight)"
  rc=0
  tool 300 "$out" org.apache.kafka.tools.EndToEndLatency --bootstrap-server "$bootstrap" --topic e2e \
    --num-records "$ne2e" --producer-acks 1 --record-size 100 || rc=$?
  line=$(grep -E '^Percentiles: 50th = ' "$out" | tail -1 || true)
  if [ -z "$line" ]; then
    fail "$sys" "$r" e2e "$out" "$rc"
  else
    # the tool measures with assigned partitions and only then needs a group coordinator: a
    # failure after the percentiles are printed leaves the measurement valid (noted in results)
    [ "$rc" = 0 ] || fail "$sys" "$r" "e2e (measured; the tool failed after printing its percentiles)" "$out" "$rc"
    record "$sys" "$r" e2e_avg_ms "$(grep -m1 '^Avg latency: ' "$out" | sed -E 's/^Avg latency: ([0-9.]+) ms.*/\1/')"
    record "$sys" "$r" e2e_p50_ms "$(sed -E 's/.*50th = ([0-9]+).*/\1/' <<<"$line")"
    record "$sys" "$r" e2e_p99_ms "$(sed -E 's/.*99th = ([0-9]+).*/\1/' <<<"$line")"
    record "$sys" "$r" e2e_p999_ms "$(sed -E 's/.*99\.9th = ([0-9]+).*/\1/' <<<"$line")"
  fi

  if alive; then
    record "$sys" "$r" rss_mb "$(awk -v k="$(rss_kib "$broker_pid")" 'BEGIN { printf "%.0f", k / 1024 }')"
  else
    # not stopped by this script: the broker log says how it ended
    printf '%s\t%s\t%s\t%s\t%s\n' "$sys" "$r" broker "$sys-r$r-broker.log" \
      "the broker exited before the round ended (no RSS); figures after its exit are missing" >>"$failures"
    log "$sys round $r: the broker (pid $broker_pid) exited on its own; see $logs/$sys-r$r-broker.log"
  fi
  stop_broker
  log "$sys round $r: done"
}

# ---------------------------------------------------------------- the run
log "rounds=$rounds N100=$n100 N1K=$n1k consume=$nconsume e2e=$ne2e (logs in $logs)"
started=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for ((round = 1; round <= rounds; round++)); do
  measure kafka "$round"
  measure varve "$round"
done
log "all rounds finished in $(( $(date +%s) - started ))s"

{
  echo "# Varve vs Apache Kafka 4.3.1, single node ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "- machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), \
$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, kernel $(uname -r), data on \
$(df -P "$target" | awk 'NR == 2 { print $1 }')"
  echo "- JVM: $(java -version 2>&1 | head -1); brokers: $broker_jvm"
  echo "- Varve: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown); command: bench/run.sh $args"
  echo "- load average at start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
  echo
  python3 "$root/bench/summarize.py" "$metrics" "$failures" \
    "rounds=$rounds, 100 B records: $n100, 1 KiB records: $n1k, consumed: $nconsume, e2e records: $ne2e"
} >"$target/results.md"
cat "$target/results.md"
