#!/usr/bin/env bash
# kcat driven by Varve's client matrix: the command contract of it/clients/python/confluent_probe.py
# (one scenario a run, one fact a line), each scenario one or two plain kcat invocations whose own
# output is reformatted here. kcat reports no delivery offsets, offset-for-time or committed
# offsets, and has no admin API: `admin` describes an existing topic with `kcat -L`.
set -euo pipefail
command=$1 bootstrap=$2
shift 2
kcat=(kcat -b "$bootstrap")
format='record %p %o %k %s %h\n'
padding=$(printf 'x%.0s' {1..64}) # as in confluent_probe.py

# kcat prints "name=value,name=value" for headers and nothing when a record has none
dash_for_no_headers() { sed -u 's/ $/ -/'; }

# "% Reached end of topic T [P] at offset O" -> "position P O" and "ready", the first time only
# (read line by line: the lines must come out the moment kcat writes them)
first_end_as_position() {
  local line said=""
  local pattern='^% Reached end of topic .* \[([0-9]+)\] at offset ([0-9]+)$'
  while IFS= read -r line; do
    if [ -z "$said" ] && [[ $line =~ $pattern ]]; then
      echo "position ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
      echo ready
      said=1
    fi
  done
}

case "$command" in
  version)
    # "Version 1.7.1 (JSON, ... librdkafka 2.0.2 builtin.features=...)"
    kcat -V | sed -n 's/^Version \([^ ]*\) .*librdkafka \([^ ]*\) .*/client kcat \1 librdkafka \2/p'
    ;;
  produce)
    topic=$1 codec=$2 count=$3 idempotent=$4
    for ((i = 0; i < count; i++)); do echo "k$i:$codec-$i-$padding"; done |
      "${kcat[@]}" -P -t "$topic" -p 0 -z "$codec" -K : -H client=kcat -H "codec=$codec" \
        -X acks=all -X enable.idempotence="$idempotent" -X linger.ms=50
    ;;
  consume)
    topic=$1 from=$2 count=$3
    case "$from" in
      beginning | end) offset=$from ;;
      offset:*) offset=${from#offset:} ;;
      time:*) offset="s@${from#time:}" ;;
      *) echo "unknown start $from" >&2; exit 64 ;;
    esac
    if [ "$from" = end ]; then
      # kcat says where the end was when it first reaches it: positioned from then on
      "${kcat[@]}" -C -t "$topic" -p 0 -o end -c "$count" -f "$format" -X auto.offset.reset=error \
        2> >(first_end_as_position) |
        dash_for_no_headers
    else
      "${kcat[@]}" -C -t "$topic" -p 0 -o "$offset" -c "$count" -f "$format" -X auto.offset.reset=error \
        | dash_for_no_headers
    fi
    ;;
  watermarks)
    topic=$1
    # logical offsets as "times": -2 the earliest, -1 the latest
    low=$("${kcat[@]}" -Q -t "$topic:0:-2" | sed -n 's/.* offset \([0-9-]*\)$/\1/p')
    high=$("${kcat[@]}" -Q -t "$topic:0:-1" | sed -n 's/.* offset \([0-9-]*\)$/\1/p')
    echo "watermarks 0 $low $high"
    ;;
  group)
    topic=$1 group=$2 count=$3
    # a balanced consumer: stores the offset of each record it hands out and commits them on close
    "${kcat[@]}" -G "$group" -c "$count" -f "$format" -X auto.offset.reset=earliest "$topic" |
      dash_for_no_headers
    ;;
  admin)
    topic=$1
    "${kcat[@]}" -L -t "$topic" | awk -v topic="$topic" '
      /^  topic "/ { partitions = $4 }
      /^    partition / { sub(",", "", $4); leaders = leaders (leaders == "" ? "" : ",") $4 }
      END { print "described", topic, "partitions", partitions, "leaders", leaders }'
    ;;
  unknown-topic)
    topic=$1
    # ' topic "T" with 0 partitions: Broker: Unknown topic or partition'
    "${kcat[@]}" -L -t "$topic" | sed -n 's/^  topic ".*" with 0 partitions: \(.*\)$/error \1/p'
    ;;
  out-of-range)
    topic=$1 offset=$2
    # kcat ends with an error (exit 1) when librdkafka may not reset (auto.offset.reset=error)
    errors=$("${kcat[@]}" -C -t "$topic" -p 0 -o "$offset" -e -X auto.offset.reset=error 2>&1 >/dev/null || true)
    sed -n 's/^% ERROR: Topic .* error: \(.*\) (broker [0-9]*)$/error \1/p' <<<"$errors"
    ;;
  *)
    echo "unknown command $command" >&2
    exit 64
    ;;
esac
