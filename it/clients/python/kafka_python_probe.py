#!/usr/bin/python3
"""kafka-python driven by Varve's client matrix.

Run with Debian's interpreter (/usr/bin/python3), where python3-kafka installs (with
python3-snappy, python3-lz4 and python3-zstandard for its codecs). The commands and the lines
they print are those of confluent_probe.py (see there); kafka-python has no idempotent producer.
"""
import sys
import time

import kafka
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, OffsetOutOfRangeError
from kafka.structs import OffsetAndMetadata
from probe_lines import DEADLINE_S, PADDING, await_listed, fail, out, record, run

CLIENT = "kafka-python"


def record_line(r):
    record(r.partition, r.offset, r.key, r.value, r.headers)


def consumer(bootstrap, **extra):
    config = dict(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="none")
    config.update(extra)
    return KafkaConsumer(**config)


def poll_records(c, count, on_record):
    read = 0
    deadline = time.monotonic() + DEADLINE_S
    while read < count and time.monotonic() < deadline:
        for tp, records in c.poll(timeout_ms=200).items():
            for record in records:
                if read < count:
                    on_record(record)
                    read += 1
    if read < count:
        fail("read %d of %d records" % (read, count))


def produce(bootstrap, topic, codec, count, idempotent):
    if idempotent == "true":
        fail("kafka-python has no idempotent producer")
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=50,
                             compression_type=None if codec == "none" else codec)
    futures = [producer.send(topic, key=b"k%d" % i, value=("%s-%d-%s" % (codec, i, PADDING)).encode(),
                             partition=0,
                             headers=[("client", CLIENT.encode()), ("codec", codec.encode())])
               for i in range(count)]
    producer.flush(timeout=DEADLINE_S)
    for future in futures:
        metadata = future.get(timeout=DEADLINE_S)
        out("sent", metadata.partition, metadata.offset)
    producer.close()


def consume(bootstrap, topic, start, count):
    c = consumer(bootstrap)
    tp = TopicPartition(topic, 0)
    c.assign([tp])
    if start == "beginning":
        c.seek_to_beginning(tp)
    elif start == "end":
        c.seek_to_end(tp)
        # position() resolves the end offset now: what is produced from here on is read
        out("position", 0, c.position(tp))
        out("ready")
    elif start.startswith("offset:"):
        c.seek(tp, int(start[len("offset:"):]))
    elif start.startswith("time:"):
        ts = int(start[len("time:"):])
        found = c.offsets_for_times({tp: ts})[tp]
        out("offset-for-time", ts, found.offset)
        c.seek(tp, found.offset)
    else:
        fail("unknown start " + start)
    poll_records(c, count, record_line)
    c.close()


def watermarks(bootstrap, topic):
    c = consumer(bootstrap)
    tp = TopicPartition(topic, 0)
    out("watermarks", 0, c.beginning_offsets([tp])[tp], c.end_offsets([tp])[tp])
    c.close()


def group(bootstrap, topic, group_id, count):
    c = consumer(bootstrap, group_id=group_id, auto_offset_reset="earliest")
    c.subscribe([topic])
    read = []

    def on_record(record):
        record_line(record)
        read.append(record)

    poll_records(c, count, on_record)
    last = read[-1]
    tp = TopicPartition(topic, last.partition)
    c.commit({tp: OffsetAndMetadata(last.offset + 1, None)})
    out("committed", tp.partition, c.committed(tp))
    c.close()


def topics_listed(admin):
    return admin.list_topics


def admin_scenario(bootstrap, topic, partitions):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    response = admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    for name, code, *rest in response.topic_errors:
        if code != 0:
            fail("create %s failed with error code %d" % (name, code))
    out("created", topic)
    described = admin.describe_topics([topic])[0]
    if described["error_code"] != 0:
        fail("describe failed with error code %d" % described["error_code"])
    leaders = [p["leader"] for p in sorted(described["partitions"], key=lambda p: p["partition"])]
    out("described", topic, "partitions", len(leaders), "leaders", ",".join(str(l) for l in leaders))
    out("listed", topic, await_listed(topics_listed(admin), topic, True))
    response = admin.delete_topics([topic])
    for name, code in response.topic_error_codes:
        if code != 0:
            fail("delete %s failed with error code %d" % (name, code))
    out("deleted", topic)
    out("listed", topic, await_listed(topics_listed(admin), topic, False))
    admin.close()


def unknown_topic(bootstrap, topic):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    code = admin.describe_topics([topic])[0]["error_code"]
    out("error", kafka.errors.for_code(code).__name__ if code != 0 else "none")
    admin.close()


def out_of_range(bootstrap, topic, offset):
    c = consumer(bootstrap)
    tp = TopicPartition(topic, 0)
    c.assign([tp])
    c.seek(tp, offset)
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        try:
            if c.poll(timeout_ms=200):
                fail("read a record at or after offset %d" % offset)
        except OffsetOutOfRangeError as e:
            out("error", type(e).__name__)
            break
    c.close()


def version():
    out("client", "kafka-python", kafka.__version__)


SCENARIOS = {
    "produce": (produce, [str, str, str, int, str]),
    "consume": (consume, [str, str, str, int]),
    "watermarks": (watermarks, [str, str]),
    "group": (group, [str, str, str, int]),
    "admin": (admin_scenario, [str, str, int]),
    "unknown-topic": (unknown_topic, [str, str]),
    "out-of-range": (out_of_range, [str, str, int]),
    "version": (version, []),
}


if __name__ == "__main__":
    run(sys.argv[1:], SCENARIOS)
