#!/usr/bin/env python3
"""Turns bench/run.sh's per-round measurements into the results table (Markdown on stdout).

metrics.tsv: system, round, metric, value. failures.tsv: system, round, workload, log, first error.
Each cell is the median over the rounds that produced the metric; a workload whose tool failed in
every round is n/a. The ratio is Varve / Kafka; the target column is issue 5's. When the run measured a
baseline build of Varve too (system "base", BENCH_BASELINE), two more columns give it and Varve / base.
"""
import statistics
import sys
from collections import defaultdict

# metric, label, unit, better ("higher" or "lower")
METRICS = [
    ("produce_p100-acks1_rps", "produce 100 B, acks=1", "records/s", "higher"),
    ("produce_p100-acks1_mbs", "produce 100 B, acks=1", "MB/s", "higher"),
    ("produce_p1k-acks1_rps", "produce 1 KiB, acks=1", "records/s", "higher"),
    ("produce_p1k-acks1_mbs", "produce 1 KiB, acks=1", "MB/s", "higher"),
    ("produce_p100-acksall_rps", "produce 100 B, acks=all", "records/s", "higher"),
    ("produce_p100-acksall_mbs", "produce 100 B, acks=all", "MB/s", "higher"),
    ("produce_p1k-acksall_rps", "produce 1 KiB, acks=all", "records/s", "higher"),
    ("produce_p1k-acksall_mbs", "produce 1 KiB, acks=all", "MB/s", "higher"),
    ("consume_rps", "consume 100 B", "records/s", "higher"),
    ("consume_mbs", "consume 100 B", "MB/s", "higher"),
    ("e2e_avg_ms", "end-to-end latency, mean", "ms", "lower"),
    ("e2e_p50_ms", "end-to-end latency p50", "ms", "lower"),
    ("e2e_p99_ms", "end-to-end latency p99", "ms", "lower"),
    ("e2e_p999_ms", "end-to-end latency p99.9", "ms", "lower"),
    ("rss_mb", "broker RSS after the runs", "MiB", "lower"),
    ("cpu_s_per_gb", "broker CPU per GB produced", "s/GB", "lower"),
    ("startup_ms", "startup to first produce", "ms", "lower"),
    ("compact_seconds", "compaction of the same log, wall time", "s", "lower"),
    ("compact_mbs", "compaction throughput (log size / wall time)", "MB/s", "higher"),
    ("cleaner_mbs", "cleaner throughput, as the broker reports it", "MB/s", "higher"),
    ("other_during_mbs", "produce 1 KiB to other partitions while cleaning", "MB/s", "higher"),
    ("other_idle_mbs", "produce 1 KiB to other partitions, no cleaning", "MB/s", "info"),
    ("fill_mbs", "produce 1 KiB keyed records (compaction fill)", "MB/s", "info"),
    ("produce_p100-acks1_p99_ms", "produce 100 B, acks=1, send latency p99", "ms", "info"),
    ("produce_p1k-acks1_p99_ms", "produce 1 KiB, acks=1, send latency p99", "ms", "info"),
    ("produce_p100-acksall_p99_ms", "produce 100 B, acks=all, send latency p99", "ms", "info"),
    ("produce_p1k-acksall_p99_ms", "produce 1 KiB, acks=all, send latency p99", "ms", "info"),
    # three-node mode (bench/run.sh --cluster): RF 3, min.insync.replicas 2, acks=all
    ("c3_produce_p100_rps", "3 nodes: produce 100 B, acks=all, RF 3", "records/s", "higher"),
    ("c3_produce_p100_mbs", "3 nodes: produce 100 B, acks=all, RF 3", "MB/s", "higher"),
    ("c3_produce_p1k_rps", "3 nodes: produce 1 KiB, acks=all, RF 3", "records/s", "higher"),
    ("c3_produce_p1k_mbs", "3 nodes: produce 1 KiB, acks=all, RF 3", "MB/s", "higher"),
    ("c3_e2e_p50_ms", "3 nodes: end-to-end latency p50, acks=all", "ms", "lower"),
    ("c3_e2e_p99_ms", "3 nodes: end-to-end latency p99, acks=all", "ms", "lower"),
    ("c3_failover_ms", "3 nodes: failover, leader kill -9 to first acks=all ack", "ms", "lower"),
    ("c3_produce_p100_p99_ms", "3 nodes: produce 100 B, send latency p99", "ms", "info"),
    ("c3_produce_p1k_p99_ms", "3 nodes: produce 1 KiB, send latency p99", "ms", "info"),
]


def fmt(value):
    if value is None:
        return "n/a"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def main(metrics_file, failures_file, settings):
    values = defaultdict(list)
    with open(metrics_file) as f:
        for line in f:
            system, _round, metric, value = line.rstrip("\n").split("\t")
            values[(system, metric)].append(float(value))

    def median(system, metric):
        found = values.get((system, metric))
        return statistics.median(found) if found else None

    has_base = any(system == "base" for system, _ in values)
    extra_head, extra_rule = (" Varve base | Varve/base |", "---|---|") if has_base else ("", "")
    print(f"| metric | unit | Kafka 4.3.1 | Varve | Varve/Kafka | target | met |{extra_head}")
    print(f"|---|---|---|---|---|---|---|{extra_rule}")
    for metric, label, unit, better in METRICS:
        kafka, varve = median("kafka", metric), median("varve", metric)
        if kafka is None and varve is None and median("base", metric) is None:
            continue  # a workload this run did not measure (--only)
        extra = ""
        if has_base:
            base = median("base", metric)
            vs_base = f"{varve / base:.2f}" if base and varve is not None else "n/a"
            extra = f" {fmt(base)} | {vs_base} |"
        target = {"higher": "≥ 1.0", "lower": "≤ 1.0"}.get(better, "")
        ratio, shown, met = None, "n/a", ""
        if kafka is not None and varve is not None:
            if kafka > 0:
                ratio = varve / kafka
                shown = f"{ratio:.2f}"
            elif varve == 0:
                ratio, shown = 1.0, "1.00"
            else:
                # the tools print whole milliseconds: Kafka's 0 means under 1 ms
                shown = "∞ (Kafka < 1 ms)"
        if better != "info" and kafka is not None and varve is not None:
            if ratio is None:
                met = "no" if better == "lower" else "yes"
            else:
                met = "yes" if (ratio >= 1.0 if better == "higher" else ratio <= 1.0) else "no"
        print(f"| {label} | {unit} | {fmt(kafka)} | {fmt(varve)} | {shown} | {target} | {met} |{extra}")
    print()
    print(f"Medians over the rounds ({settings}).")

    with open(failures_file) as f:
        failed = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    if failed:
        print()
        print("Tool failures (a metric is n/a when no round measured it):")
        print()
        for system, rnd, workload, log, why in failed:
            print(f"- {system} round {rnd}, {workload} (`{log}`): {why}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
