#!/usr/bin/env bash
# Issue 11's abusive-clients scenario against one broker at -Xmx512m (docs/operations.md):
# NEVER_READING connections pipeline Fetch requests and never read, STALLED connections announce a
# 100 MiB request, send STALL_BYTES of it and stall; a fresh producer and consumer probe the broker
# once a second throughout (io.varve.bench.AbuseScenario). Output in bench/target/abuse-SYSTEM/.
#
#   bench/abuse.sh [varve|kafka] [NEVER_READING=128] [STALLED=50] [STALL_BYTES=65536] [SECONDS=60] [same|separate] [WAVES=1]
#
# WAVES > 1 repeats the abuse against the same broker once the abusers of the previous wave left: the
# second wave meets a broker whose code the first warmed up (JIT), the first wave a cold one.
# same: the never-reading connections fetch from the probes' partition (the worst case); separate:
# from another topic's. BENCH_VARVE_CONF adds configuration lines to the Varve node's file, e.g.
# BENCH_VARVE_CONF='varve.transport.socket-send-buffer-bytes = 102400'.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
system=${1:-varve}
never_reading=${2:-128}
stalled=${3:-50}
stall_bytes=${4:-65536}
seconds=${5:-60}
fetched=${6:-same}
waves=${7:-1}
case "$system" in varve|kafka) ;; *) echo "usage: bench/abuse.sh [varve|kafka] [NEVER_READING] [STALLED] [STALL_BYTES] [SECONDS] [same|separate] [WAVES]" >&2; exit 64 ;; esac

run="$root/bench/target/abuse-$system"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
heap="-Xmx512m -Xms512m"
broker_jvm="${broker_jvm/-Xmx1g -Xms1g/$heap}"
probe_pid=""

cleanup() {
  trap - EXIT INT TERM
  stop_pid "$probe_pid" 2
  stop_pid "$broker_pid" 20
}
trap cleanup EXIT INT TERM

bench_prepare
log "$system at $heap: $never_reading never-reading connections ($fetched partition), $stalled stalled 100 MiB announcements ($stall_bytes bytes sent), $seconds s"
"start_$system" abuse
wait_first_produce "$system" abuse || { log "$system did not start; see $logs"; exit 1; }
rss_before=$(rss_kib "$broker_pid")
timeout $((seconds * waves + 600)) java $tool_jvm -cp "$probe_cp" io.varve.bench.AbuseScenario "127.0.0.1:$port" \
  "$never_reading" "$stalled" "$stall_bytes" "$seconds" "$fetched" "$waves" 2>"$logs/scenario.err" | tee "$run/scenario.log" &
probe_pid=$!
wait "$probe_pid" || log "the scenario failed; see $logs/scenario.err"
probe_pid=""
broker_log=$(ls "$logs"/*-abuse-broker.log)
if alive; then state="alive"; else state="DEAD"; fi
{
  echo "broker: $system, $heap, $state; RSS before ${rss_before} KiB, after $(rss_kib "$broker_pid") KiB"
  echo "OutOfMemoryError lines in the broker log: $(grep -c OutOfMemoryError "$broker_log" || true)"
  if alive && command -v jcmd >/dev/null; then jcmd "$broker_pid" GC.heap_info 2>/dev/null | head -4; fi
} | tee -a "$run/scenario.log"
stop_broker
