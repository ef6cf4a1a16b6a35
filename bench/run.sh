#!/usr/bin/env bash
# Varve against Apache Kafka 4.3.1, single node each, side by side on loopback, measured with Kafka's
# own load tools. Documented in docs/benchmarks.md; results in bench/target/results.md.
#
#   bench/run.sh [--quick] [--rounds N] [--only produce,consume,e2e,compaction,transactions]
#   bench/run.sh --cluster [--quick] [--rounds N]    three nodes each, RF 3 (bench/cluster.sh)
#
#   --quick     one round with small record counts: checks the harness in a few minutes
#   --rounds N  rounds of "Kafka then Varve" (default 3); each round starts both brokers afresh
#   --only W    only these workloads (startup, RSS are always measured; consume also produces the
#               100-byte acks=1 records it reads); for quick A/B runs while tuning one metric.
#               compaction (issue 15) is not in the default set: run it as --only compaction;
#               transactions (issue 14): BENCH_N1K 1 KiB records in 100 ms transactions, then read
#               back read_committed (in the default set)
#
# Record counts can be overridden with BENCH_N100, BENCH_N1K, BENCH_CONSUME, BENCH_E2E, BENCH_COMPACT
# (1 KiB records of the compaction workload, 10% distinct keys; BENCH_COMPACT_SEGMENT its segment.bytes);
# BENCH_MAX_SECONDS bounds the whole run. BENCH_BASELINE=DIR (another checkout, built) adds its Varve
# as a third system, "base", to every round, to measure what a change bought in the same run. Every step runs under `timeout`; brokers are killed on
# exit, whatever the exit path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ "${1:-}" = "--cluster" ]; then
  shift
  exec "$root/bench/cluster.sh" "$@"
fi

args="$*"
quick=0
rounds=3
only="produce,consume,e2e,transactions"
usage() { echo "usage: bench/run.sh [--quick] [--rounds N] [--only produce,consume,e2e,compaction,transactions]" >&2; exit 64; }
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; rounds=1; shift ;;
    --rounds) [ $# -ge 2 ] || usage; rounds="$2"; shift 2 ;;
    --only) [ $# -ge 2 ] || usage; only="$2"; shift 2 ;;
    *) usage ;;
  esac
done
wants() { [[ ",$only," == *",$1,"* ]]; }

if [ "$quick" = 1 ]; then
  n100=${BENCH_N100:-300000}; n1k=${BENCH_N1K:-60000}; nconsume=${BENCH_CONSUME:-300000}
  ne2e=${BENCH_E2E:-500}; ncompact=${BENCH_COMPACT:-100000}; max_seconds=${BENCH_MAX_SECONDS:-900}
else
  n100=${BENCH_N100:-4000000}; n1k=${BENCH_N1K:-800000}; nconsume=${BENCH_CONSUME:-2000000}
  ne2e=${BENCH_E2E:-5000}; ncompact=${BENCH_COMPACT:-1000000}; max_seconds=${BENCH_MAX_SECONDS:-5400}
fi
compact_segment=${BENCH_COMPACT_SEGMENT:-67108864}
[ "$nconsume" -le "$n100" ] || { echo "bench: BENCH_CONSUME must not exceed BENCH_N100" >&2; exit 64; }

run="$root/bench/target/run"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
metrics="$run/metrics.tsv"
failures="$run/failures.tsv"
probe_pid=""
watchdog_pid=""

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
# the watchdog's own stderr is discarded (the shell's "Terminated" when cleanup stops its sleep)
exec 3>&2
(sleep "$max_seconds"; echo "bench: overall limit of ${max_seconds}s reached, stopping" >&3; kill -TERM $$) 2>/dev/null &
watchdog_pid=$!
disown "$watchdog_pid"  # no job notice when cleanup stops it

bench_prepare
for sys in varve ${BENCH_BASELINE:+base}; do first_start "$sys"; done
: >"$metrics"
: >"$failures"

record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$metrics"; }  # system round metric value

fail() {  # fail SYSTEM ROUND WORKLOAD LOG: the workload is reported n/a with the tool's first error
  local why
  why=$(grep -m1 -E 'Exception|ERROR|Error|WARNING: Exiting' "$4" 2>/dev/null | cut -c1-240 || true)
  [ -n "$why" ] || why="no result line (exit status $5); see $(basename "$4")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(basename "$4")" "$why" >>"$failures"
  log "$1 round $2: $3 failed: $why"
}

# ---------------------------------------------------------------- one system, one round
measure() {  # measure SYSTEM ROUND
  local sys=$1 r=$2 bootstrap out line ticks0 ticks1 produced=0
  "start_$sys" "r$r"
  bootstrap="127.0.0.1:$port"
  log "$sys round $r: broker pid $broker_pid on $bootstrap"

  out="$logs/$sys-r$r-startup.log"
  if ! wait_first_produce "$sys" "r$r"; then
    fail "$sys" "$r" startup "$out" "-"
    stop_broker
    return 0
  fi
  line=$(grep -o 'first-produce-ms=[0-9]*' "$out")
  record "$sys" "$r" startup_ms "${line#first-produce-ms=}"

  local t
  for t in p100-acks1 p1k-acks1 p100-acksall p1k-acksall e2e txn; do
    create_topic "$sys" "r$r" "$t" || fail "$sys" "$r" "create-$t" "$logs/$sys-r$r-create-$t.log" "$?"
  done

  ticks0=$(cpu_ticks "$broker_pid")
  local w size count acks
  for w in "p100-acks1 100 $n100 1" "p1k-acks1 1024 $n1k 1" "p100-acksall 100 $n100 all" "p1k-acksall 1024 $n1k all"; do
    read -r t size count acks <<<"$w"
    wants produce || { wants consume && [ "$t" = p100-acks1 ]; } || continue
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
  if wants produce && [ "$produced" -gt 0 ] && [ -n "$ticks0" ] && [ -n "$ticks1" ]; then
    record "$sys" "$r" cpu_s_per_gb \
      "$(awk -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" -v b="$produced" 'BEGIN { printf "%.2f", t / hz / (b / 1e9) }')"
  fi

  wants consume && consume "$sys" "$r"
  wants e2e && e2e "$sys" "$r"
  wants compaction && compaction "$sys" "$r"
  wants transactions && transactions "$sys" "$r"
  finish "$sys" "$r"
}

consume() {  # consume SYSTEM ROUND
  local sys=$1 r=$2 bootstrap="127.0.0.1:$port" out line
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
}

transactions() {  # transactions SYSTEM ROUND: a transactional producer, then a read_committed consumer
  local sys=$1 r=$2 bootstrap="127.0.0.1:$port" out line rc=0
  out="$logs/$sys-r$r-txn-produce.log"
  log "$sys round $r: ProducerPerformance transactional ($n1k x 1 KiB, 100 ms transactions)"
  tool 600 "$out" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$bootstrap" --topic txn \
    --num-records "$n1k" --record-size 1024 --throughput -1 --transactional-id "bench-$sys-$r" \
    --transaction-duration-ms 100 --command-property acks=all $producer_props || rc=$?
  line=$(grep -E '^[0-9]+ records sent, .*99\.9th' "$out" | tail -1 || true)
  if [ "$rc" != 0 ] || [ -z "$line" ] || grep -qE '^(org\.apache\.kafka|java\.)[^ ]*(Exception|Error)' "$out"; then
    fail "$sys" "$r" txn-produce "$out" "$rc"
    return 0
  fi
  record "$sys" "$r" txn_produce_mbs "$(sed -E 's/.*records\/sec \(([0-9.]+) MB\/sec\).*/\1/' <<<"$line")"
  record "$sys" "$r" txn_produce_p99_ms "$(sed -E 's/.* ([0-9]+) ms 99th.*/\1/' <<<"$line")"
  out="$logs/$sys-r$r-txn-consume.log"
  log "$sys round $r: ConsumerPerformance read_committed ($n1k x 1 KiB from txn)"
  rc=0
  tool 180 "$out" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$bootstrap" --topic txn \
    --num-records "$n1k" --timeout 30000 --group "bench-txn-$sys-$r" --hide-header \
    --command-property isolation.level=read_committed || rc=$?
  line=$(grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2} .*, .*, ' "$out" | tail -1 || true)
  if [ "$rc" != 0 ] || [ -z "$line" ] || grep -q 'WARNING: Exiting before consuming' "$out" \
     || [ "$(awk -F', *' '{ print $5 }' <<<"$line")" -lt "$n1k" ]; then
    fail "$sys" "$r" txn-consume "$out" "$rc"
  else
    record "$sys" "$r" txn_consume_mbs "$(awk -F', *' '{ print $9 }' <<<"$line")"
  fi
}

e2e() {  # e2e SYSTEM ROUND
  local sys=$1 r=$2 bootstrap="127.0.0.1:$port" out line rc
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
}

compaction() {  # compaction SYSTEM ROUND: the same 1 KiB keyed records compacted by each broker
  local sys=$1 r=$2 bootstrap="127.0.0.1:$port" out rc line data="$run/$1-r$2/data"
  out="$logs/$sys-r$r-compaction.log"
  log "$sys round $r: compaction of $ncompact x 1 KiB over $((ncompact / 10)) keys, producing to 'other' meanwhile"
  rc=0
  tool_java 1200 "$out" io.varve.bench.CompactionBench fill "$bootstrap" compacted "$ncompact" 1024 \
    $((ncompact / 10)) "$compact_segment" || rc=$?
  [ "$rc" = 0 ] && { tool_java 1200 "$out.clean" io.varve.bench.CompactionBench clean "$bootstrap" compacted "$data" \
    1024 900 || rc=$?; }
  cat "$out.clean" >>"$out" 2>/dev/null || true
  if [ "$rc" != 0 ] || ! grep -q '^compact-seconds=[0-9]' "$out"; then
    fail "$sys" "$r" compaction "$out" "$rc"
    return 0
  fi
  local key
  for key in fill-mbs compact-seconds compact-mbs other-idle-mbs other-during-mbs; do
    record "$sys" "$r" "$(tr - _ <<<"$key")" "$(grep -m1 "^$key=" "$out" | cut -d= -f2)"
  done
  # the broker's own figure for that cleaning: Kafka logs MiB ("1,024.3 MB of log processed in 7.1 seconds
  # (144.3 MB/sec)") on the line after "cleaned log compacted-0"; Varve logs MB on the same line
  line=$(awk '/cleaned log compacted-0|cleaned compacted-0 / { want = 1 } want && /MB of log processed in/ { print; want = 0 }' \
    "$logs/$sys-r$r-broker.log" | tail -1)
  if [ -n "$line" ]; then
    record "$sys" "$r" cleaner_mbs "$(sed -E 's/.*\(([0-9.,]+) MB\/s(ec)?\).*/\1/; s/,//g' <<<"$line" \
      | awk -v kafka="$([ "$sys" = kafka ] && echo 1)" '{ printf "%.1f", kafka ? $1 * 1.048576 : $1 }')"
  fi
}

finish() {  # finish SYSTEM ROUND: the broker's RSS after the workloads, then stop it
  local sys=$1 r=$2

  if alive; then
    record "$sys" "$r" rss_mb "$(awk -v k="$(rss_kib "$broker_pid")" 'BEGIN { printf "%.0f", k / 1024 }')"
  else
    # not stopped by this script: the broker log says how it ended
    printf '%s\t%s\t%s\t%s\t%s\n' "$sys" "$r" broker "$sys-r$r-broker.log" \
      "the broker exited before the round ended (no RSS); figures after its exit are missing" >>"$failures"
    log "$sys round $r: the broker (pid $broker_pid) exited on its own; see $logs/$sys-r$r-broker.log"
  fi
  stop_broker
  # free this round's page cache now: on this VM a page-cache write into memory freed moments ago costs
  # a fraction of one into memory free for longer (0.3 against 1.3 to 4 ms/MB, docs/benchmarks.md,
  # "Compaction"), so each broker starts with the pool the previous one freed, as the first one starts
  # with the pool bench_prepare freed, instead of the second broker finding it used up
  rm -rf "$run/$sys-r$r/data"
  log "$sys round $r: done"
}

# ---------------------------------------------------------------- the run
log "rounds=$rounds N100=$n100 N1K=$n1k consume=$nconsume e2e=$ne2e (logs in $logs)"
started=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
systems="kafka${BENCH_BASELINE:+ base} varve"
for ((round = 1; round <= rounds; round++)); do
  for sys in $systems; do measure "$sys" "$round"; done
done
log "all rounds finished in $(( $(date +%s) - started ))s"

{
  echo "# Varve vs Apache Kafka 4.3.1, single node ($(date -u '+%Y-%m-%d %H:%M UTC'))"
  echo
  echo "- machine: $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), \
$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, kernel $(uname -r), data on \
$(df -P "$target" | awk 'NR == 2 { print $1 }')"
  echo "- JVM: $(java -version 2>&1 | head -1); brokers: $broker_jvm"
  echo "- Varve: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)\
$([ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ] && echo ' (with uncommitted changes)')\
${BENCH_BASELINE:+; base: $(git -C "$BENCH_BASELINE" rev-parse --short HEAD 2>/dev/null) in $BENCH_BASELINE}\
; command: bench/run.sh $args"
  echo "- load average at start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg) (shared machine)"
  echo
  python3 "$root/bench/summarize.py" "$metrics" "$failures" \
    "rounds=$rounds, 100 B records: $n100, 1 KiB records: $n1k, consumed: $nconsume, e2e records: $ne2e, compaction: $ncompact x 1 KiB in $compact_segment-byte segments"
} >"$target/results.md"
cat "$target/results.md"
