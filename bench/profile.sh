#!/usr/bin/env bash
# Profiles one broker (Apache Kafka 4.3.1 or Varve, started exactly as bench/run.sh starts it) on one
# of bench/run.sh's workloads with async-profiler, attached only while the workload runs.
# Documented in docs/benchmarks.md.
#
#   bench/profile.sh SYSTEM WORKLOAD [EVENT]
#
#   SYSTEM    kafka | varve
#   WORKLOAD  produce-100-acks1 | produce-1k-acks1 | produce-100-acksall | produce-1k-acksall |
#             consume | e2e
#   EVENT     cpu (default: on-CPU samples, Java + JVM + kernel frames) | wall | alloc | lock
#
# Writes bench/target/profile/SYSTEM-WORKLOAD-EVENT.{html,collapsed,txt}: a flame graph, the
# collapsed stacks (one line per stack, per thread) and a summary (samples per thread pool and the
# hottest frames) with the broker's CPU time and context switches during the workload. Record counts
# as in bench/run.sh: BENCH_N100, BENCH_N1K, BENCH_CONSUME, BENCH_E2E.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

usage() { echo "usage: bench/profile.sh kafka|varve WORKLOAD [cpu|wall|alloc|lock]" >&2; exit 64; }
[ $# -ge 2 ] || usage
sys=$1 workload=$2 event=${3:-cpu}
case "$sys" in kafka|varve) ;; *) usage ;; esac
case "$event" in cpu|wall|alloc|lock) ;; *) usage ;; esac
n100=${BENCH_N100:-4000000}; n1k=${BENCH_N1K:-800000}; nconsume=${BENCH_CONSUME:-2000000}
ne2e=${BENCH_E2E:-5000}

run="$root/bench/target/profile-run"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
out_dir="$target/profile"
name="$sys-$workload-$event"
probe_pid=""
trap 'stop_pid "$tool_pid" 2; stop_pid "$probe_pid" 2; stop_pid "$broker_pid" 20' EXIT
trap 'log "interrupted"; exit 130' INT TERM

bench_prepare
mkdir -p "$out_dir"
agent="$target/async-profiler/linux-x64/libasyncProfiler.so"
[ -f "$agent" ] || { log "no $agent: run mvn -f bench/kafka-dist/pom.xml generate-resources"; exit 1; }

producer() {  # producer TOPIC SIZE COUNT ACKS LOG
  tool 600 "$5" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "127.0.0.1:$port" --topic "$1" \
    --num-records "$3" --record-size "$2" --throughput -1 --command-property acks="$4" $producer_props
}

profiler() {  # profiler OPTIONS: loads the agent into the broker with these options
  java -cp "$probe_cp" io.varve.bench.ProfilerAttach "$broker_pid" "$agent" "$1" >>"$logs/profiler.log" 2>&1
}

# context switches of every broker thread, voluntary + involuntary
switches() { cat /proc/"$broker_pid"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'; }

[ "$sys" = varve ] && first_start varve
"start_$sys" profile
log "$sys: broker pid $broker_pid on 127.0.0.1:$port"
wait_first_produce "$sys" profile || { log "$sys did not accept a produce; see $logs"; exit 1; }
create_topic "$sys" profile bench

case "$workload" in
  consume) log "producing $n100 x 100 B records to consume (not profiled)"
           producer bench 100 "$n100" 1 "$logs/fill.log" ;;
esac

ticks0=$(cpu_ticks "$broker_pid"); switches0=$(switches); started=$(date +%s%3N)
profiler "start,event=$event,interval=$([ "$event" = cpu ] && echo 1ms || echo 5ms),threads"
log "$sys: profiling $workload ($event)"
wl_log="$logs/$workload.log"
case "$workload" in
  produce-100-acks1) producer bench 100 "$n100" 1 "$wl_log" ;;
  produce-1k-acks1) producer bench 1024 "$n1k" 1 "$wl_log" ;;
  produce-100-acksall) producer bench 100 "$n100" all "$wl_log" ;;
  produce-1k-acksall) producer bench 1024 "$n1k" all "$wl_log" ;;
  consume) tool 180 "$wl_log" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "127.0.0.1:$port" \
             --topic bench --num-records "$nconsume" --timeout 30000 --group profile ;;
  e2e) tool 300 "$wl_log" org.apache.kafka.tools.EndToEndLatency --bootstrap-server "127.0.0.1:$port" \
         --topic bench --num-records "$ne2e" --producer-acks 1 --record-size 100 || true ;;
  *) usage ;;
esac
profiler "dump,file=$out_dir/$name.collapsed,collapsed"
profiler "stop,file=$out_dir/$name.html"
ended=$(date +%s%3N); ticks1=$(cpu_ticks "$broker_pid"); switches1=$(switches)

{
  echo "# $sys, $workload, $event ($(date -u '+%Y-%m-%d %H:%M UTC'), Varve $(git rev-parse --short HEAD))"
  echo "workload: $(tail -n 3 "$wl_log" | tr '\n' ' ')"
  awk -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" -v ms=$((ended - started)) \
      -v cs=$((switches1 - switches0)) \
      'BEGIN { printf "broker: %.2f s CPU in %.2f s wall, %d context switches\n", t / hz, ms / 1000, cs }'
  python3 "$root/bench/profile_summary.py" "$out_dir/$name.collapsed"
} >"$out_dir/$name.txt"
cat "$out_dir/$name.txt"
stop_broker
