#!/usr/bin/env bash
# 10,000 partitions on a real three-node Varve cluster (issue 12), by hand: too long for CI.
#
#   bench/cluster-scale.sh [TOPICS [PARTITIONS [TOPICS_PER_REQUEST]]]     (default 40 x 250, 10 a request)
#
# Starts three nodes with bin/varve cluster start (PostgreSQL journal) in bench/target/run-scale, and
# runs io.varve.bench.ScaleProbe: creates TOPICS x PARTITIONS partitions with replication factor 3,
# waits until every node's own Metadata answer names all of them with a live leader, produces to and
# consumes from a sample, kill -9s the controller's node, waits until every live node names a new
# controller and a live leader for every partition and a topic created after the hand-over, then
# restarts the killed node and waits until it names everything too. Prints the figures (creation
# time, Metadata answer size and time per node, hand-over time, RSS per node) and leaves them in
# bench/target/run-scale/figures.txt. BENCH_PORTS=LOW-HIGH confines the ports (7 are used);
# VARVE_SCALE_HEAP sets the nodes' heap (default -Xmx1g). Every process it started is stopped on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
run="$root/bench/target/run-scale"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
# after lib.sh, which sets its own "partitions"
topics=${1:-40}
partitions=${2:-250}
per_request=${3:-10}
bench_prepare
cluster="$run/cluster"
kafka_port=$(free_block 3)
cluster_port=$(free_block 3)
pg_port=$(free_port)

varve_env() {
  VARVE_CLUSTER_DIR="$cluster" VARVE_CLUSTER_KAFKA_PORT="$kafka_port" VARVE_CLUSTER_PORT_BASE="$cluster_port" \
    VARVE_CLUSTER_PG_PORT="$pg_port" VARVE_SKIP_BUILD=1 VARVE_CLUSTER_START_TIMEOUT=600 \
    JAVA_OPTS="${VARVE_SCALE_HEAP:--Xmx1g} -XX:+UseG1GC" "$@"
}
cleanup() {
  trap - EXIT INT TERM
  varve_env "$root/bin/varve" cluster stop >>"$logs/cluster-stop.log" 2>&1 || true
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

probe() {
  java -Xmx512m -cp "$probe_cp" io.varve.bench.ScaleProbe "$@" 2> >(tee -a "$logs/probe.err" >&2) \
    | tee -a "$run/figures.txt"
}

log "starting three nodes (Kafka listeners from 127.0.0.1:$kafka_port) in $cluster"
varve_env "$root/bin/varve" cluster start >"$logs/cluster-start.log" 2>&1
log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "partitions=$((topics * partitions)) topics=$topics per-topic=$partitions loadavg-start=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" \
  >"$run/figures.txt"
probe run "$cluster" "$kafka_port" "$topics" "$partitions" "$per_request"
log "restarting the killed node"
restart_start=$(date +%s%N)
varve_env "$root/bin/varve" cluster start >>"$logs/cluster-start.log" 2>&1
echo "restarted-node-serving-ms=$(( ($(date +%s%N) - restart_start) / 1000000 ))" | tee -a "$run/figures.txt"
probe check "$cluster" "$kafka_port" $((topics * partitions + 6))
echo "loadavg-end=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)" | tee -a "$run/figures.txt"
log "figures in $run/figures.txt; node logs in $cluster/node-N.log"
