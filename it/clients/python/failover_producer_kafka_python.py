#!/usr/bin/python3
"""An acks=all producer on kafka-python for ClusterIT's failover.

  failover_producer_kafka_python.py BOOTSTRAP TOPIC MAX_COUNT

The same protocol as failover_producer.py: values q0, q1, ... to partition 0 of TOPIC, at most 100
unacknowledged at a time, until a line arrives on standard input (or MAX_COUNT were sent); one line
a delivery report, "acked OFFSET VALUE" or "failed VALUE ERROR", then "done N" (N: 0 once every
record is reported). kafka-python 2.0 has no idempotent producer, so a retry after a lost response
may write a record twice; one request in flight keeps the order. The test checks that every
acknowledged value is at its offset, in order.
"""
import select
import sys
import threading
import time

from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError

IN_FLIGHT = 100


def main():
    bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    producer = KafkaProducer(
        bootstrap_servers=bootstrap.split(","),
        acks="all",
        retries=1000,
        retry_backoff_ms=200,
        max_in_flight_requests_per_connection=1,
        linger_ms=2,
        request_timeout_ms=30000,
    )
    lock = threading.Lock()
    pending = [0]

    def settled():
        with lock:
            pending[0] -= 1

    def acked(value, metadata):
        print("acked", metadata.offset, value, flush=True)
        settled()

    def failed(value, error):
        print("failed", value, str(error).replace("\n", " "), flush=True)
        settled()

    for i in range(count):
        if select.select([sys.stdin], [], [], 0)[0]:
            break
        while True:
            with lock:
                if pending[0] < IN_FLIGHT:
                    pending[0] += 1
                    break
            time.sleep(0.01)
        value = "q%d" % i
        future = producer.send(topic, value=value.encode("utf-8"), key=("k%d" % i).encode("utf-8"), partition=0)
        future.add_callback(lambda metadata, v=value: acked(v, metadata))
        future.add_errback(lambda error, v=value: failed(v, error))
        time.sleep(0.002)
    try:
        producer.flush(timeout=240)
    except KafkaTimeoutError:
        pass
    with lock:
        remaining = pending[0]
    print("done", remaining, flush=True)


if __name__ == "__main__":
    main()
