#!/usr/bin/env bash
# The fault campaign (issue 13, docs/reliability.md):
#   chaos/run.sh --cycles N [--out DIR] [--port-base 19700] [--partitions 6] [--producers 2]
#                [--rate 40] [--max-minutes M] [--node-java-opts "-Xmx512m"] [--system varve|kafka]
#                [--faults kill-leader,kill-controller,kill-two,pause-leader,partition-leader,disk-full,slow-disk]
#                [--disk-mb 256]   (disk-full/slow-disk mount each node's data dir: root only, else left out)
#   chaos/run.sh --check-only --out DIR   finishes a run that ended before its check
# Builds the chaos module (and the node, through bin/varve), then runs io.varve.chaos.Campaign:
# a three-node Varve cluster with PostgreSQL (bin/varve cluster start) behind a TCP proxy network on
# loopback, idempotent acks=all producers and tailing consumers on two client sides, one fault per
# cycle, and the checker. Uses ports PORT_BASE..PORT_BASE+49 and 127.77.S.N addresses. The last line
# is `cycles N acked N lost N duplicated N reordered N divergent N`; the exit status is 0 when
# nothing was lost, misplaced, duplicated, reordered or divergent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
args=("$@")
out=""
for ((i = 0; i < ${#args[@]}; i++)); do
  if [ "${args[$i]}" = "--out" ]; then out="${args[$((i + 1))]}"; fi
done
if [ -z "$out" ]; then
  # outside the checkout: PostgreSQL runs as its own user and must reach its data directory
  out="/tmp/varve-chaos-$(date +%Y%m%d-%H%M%S)"
  args+=(--out "$out")
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -z "${CHAOS_SKIP_BUILD:-}" ]; then
  (cd "$root" && mvn -B -q -o -DskipTests package -pl chaos,actors -am)
  touch "$root/actors/target/node.classpath"
fi
classpath="$root/chaos/target/classes:$(cat "$root/chaos/target/chaos.classpath")"
echo "chaos: output in $out" >&2
VARVE_SKIP_BUILD=1 exec java -Xmx512m -Djdk.net.hosts.file="$out/hosts-6" -cp "$classpath" \
  io.varve.chaos.Campaign --repository "$root" "${args[@]}"
