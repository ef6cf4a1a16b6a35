#!/usr/bin/python3
"""An idempotent acks=all producer on confluent-kafka-python (librdkafka) for ClusterIT's failover.

  failover_producer.py BOOTSTRAP TOPIC MAX_COUNT

Produces values p0, p1, ... to partition 0 of TOPIC, at most 500 unacknowledged at a time and at
most about 1000 a second (so that it does not starve the cluster on a small machine), until a
line arrives on standard input (or MAX_COUNT were sent), and prints one line a delivery report as librdkafka gives it: "acked OFFSET VALUE" or "failed VALUE
ERROR"; then "done". The test kills the partition's leader while this runs and then checks that
every acknowledged value is in the log exactly once, at its offset, in order.
"""
import select
import sys
import time

from confluent_kafka import Producer

IN_FLIGHT = 500


def main():
    bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 2,
        "message.timeout.ms": 180000,
        "request.timeout.ms": 30000,
    })
    pending = [0]

    def report(error, msg):
        pending[0] -= 1
        value = msg.value().decode("utf-8")
        if error is None:
            print("acked", msg.offset(), value, flush=True)
        else:
            print("failed", value, str(error).replace("\n", " "), flush=True)

    for i in range(count):
        if select.select([sys.stdin], [], [], 0)[0]:
            break
        while pending[0] >= IN_FLIGHT:
            producer.poll(0.1)
        while True:
            try:
                producer.produce(topic, value=("p%d" % i).encode("utf-8"), key=("k%d" % i).encode("utf-8"),
                                 partition=0, on_delivery=report)
                break
            except BufferError:
                producer.poll(0.1)
        pending[0] += 1
        producer.poll(0)
        time.sleep(0.001)
    remaining = producer.flush(240)
    print("done", remaining, flush=True)


if __name__ == "__main__":
    main()
