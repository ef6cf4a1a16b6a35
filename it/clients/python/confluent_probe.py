#!/usr/bin/python3
"""confluent-kafka-python (on librdkafka) driven by Varve's client matrix.

Run with Debian's interpreter (/usr/bin/python3), where python3-confluent-kafka installs. Each
command does one scenario against BOOTSTRAP and prints what the client reported, one fact a
line, for ClientMatrix (it/src/test/java/io/varve/it/matrix) to compare exactly:

  produce BOOTSTRAP TOPIC CODEC COUNT IDEMPOTENT   sent P O               (one a record)
      record i: key k<i>, value <codec>-<i>-<64 x>, headers client=<client>, codec=<codec>
  consume BOOTSTRAP TOPIC FROM COUNT               [position P O, ready] [offset-for-time TS O]
                                                   record P O KEY VALUE HEADERS
      FROM: beginning | end | offset:N | time:TS
  watermarks BOOTSTRAP TOPIC                       watermarks P LOW HIGH
  group BOOTSTRAP TOPIC GROUP COUNT                record ..., committed P O
  admin BOOTSTRAP TOPIC PARTITIONS                 created, described, listed, deleted
  unknown-topic BOOTSTRAP TOPIC                    error NAME
  out-of-range BOOTSTRAP TOPIC OFFSET              error NAME
  transactions BOOTSTRAP INPUT OUTPUT GROUP TXNID COUNT
                                                   committed N, aborted N, committed 1, then
                                                   record P O KEY VALUE - (read_committed)
      three transactions on partition 0 of OUTPUT: COUNT records committed-<i> with the group's
      offset 3 of INPUT committed; COUNT records aborted-<i> with offset 6, aborted; one record
      committed-last, committed; then a read_committed consumer reads OUTPUT from the beginning
      until COUNT + 1 records (an aborted record read would take a committed one's place)
"""
import sys
import time

import confluent_kafka
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from probe_lines import DEADLINE_S, PADDING, await_listed, fail, out, record, run

CLIENT = "confluent-kafka"


def record_line(msg):
    record(msg.partition(), msg.offset(), msg.key(), msg.value(), msg.headers())


def consumer(bootstrap, **extra):
    config = {
        "bootstrap.servers": bootstrap,
        "group.id": "probe-" + str(time.time_ns()),
        "enable.auto.commit": False,
        "enable.partition.eof": True,
    }
    config.update(extra)
    return Consumer(config)


def produce(bootstrap, topic, codec, count, idempotent):
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "compression.type": codec,
        "enable.idempotence": idempotent == "true",
        "acks": "all",
        "linger.ms": 50,
    })
    reports = []

    def delivered(err, msg):
        if err is not None:
            fail("delivery failed: " + str(err))
        reports.append((msg.partition(), msg.offset()))

    for i in range(count):
        producer.produce(topic, key="k%d" % i, value="%s-%d-%s" % (codec, i, PADDING), partition=0,
                         headers=[("client", CLIENT.encode()), ("codec", codec.encode())],
                         on_delivery=delivered)
    if producer.flush(DEADLINE_S) != 0:
        fail("records still undelivered after %ss" % DEADLINE_S)
    for partition, offset in reports:
        out("sent", partition, offset)


def consume(bootstrap, topic, start, count):
    c = consumer(bootstrap, **{"auto.offset.reset": "error"})
    if start == "beginning":
        offset = confluent_kafka.OFFSET_BEGINNING
    elif start == "end":
        offset = confluent_kafka.OFFSET_END
    elif start.startswith("offset:"):
        offset = int(start[len("offset:"):])
    elif start.startswith("time:"):
        ts = int(start[len("time:"):])
        found = c.offsets_for_times([TopicPartition(topic, 0, ts)], timeout=DEADLINE_S)[0]
        out("offset-for-time", ts, found.offset)
        offset = found.offset
    else:
        fail("unknown start " + start)
    c.assign([TopicPartition(topic, 0, offset)])
    read = 0
    positioned = False
    deadline = time.monotonic() + DEADLINE_S
    while read < count and time.monotonic() < deadline:
        msg = c.poll(0.2)
        if msg is None:
            continue
        if msg.error() is not None:
            if msg.error().code() == KafkaError._PARTITION_EOF:
                if start == "end" and not positioned:
                    positioned = True
                    # the end offset is resolved: what is produced from now on is read
                    out("position", msg.partition(), msg.offset())
                    out("ready")
                continue
            fail("consume failed: " + str(msg.error()))
        record_line(msg)
        read += 1
    c.close()
    if read < count:
        fail("read %d of %d records" % (read, count))


def watermarks(bootstrap, topic):
    c = consumer(bootstrap)
    low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=DEADLINE_S)
    out("watermarks", 0, low, high)
    c.close()


def group(bootstrap, topic, group_id, count):
    c = consumer(bootstrap, **{"group.id": group_id, "auto.offset.reset": "earliest",
                               "enable.partition.eof": False})
    c.subscribe([topic])
    read = []
    deadline = time.monotonic() + DEADLINE_S
    while len(read) < count and time.monotonic() < deadline:
        msg = c.poll(0.2)
        if msg is None:
            continue
        if msg.error() is not None:
            fail("consume failed: " + str(msg.error()))
        record_line(msg)
        read.append(msg)
    if len(read) < count:
        fail("read %d of %d records" % (len(read), count))
    last = read[-1]
    c.commit(offsets=[TopicPartition(topic, last.partition(), last.offset() + 1)], asynchronous=False)
    for tp in c.committed([TopicPartition(topic, last.partition())], timeout=DEADLINE_S):
        out("committed", tp.partition, tp.offset)
    c.close()


def topics_listed(admin):
    return lambda: admin.list_topics(timeout=DEADLINE_S).topics


def admin_scenario(bootstrap, topic, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])[topic].result()
    out("created", topic)
    described = admin.list_topics(topic=topic, timeout=DEADLINE_S).topics[topic]
    leaders = [described.partitions[p].leader for p in sorted(described.partitions)]
    out("described", topic, "partitions", len(leaders), "leaders", ",".join(str(l) for l in leaders))
    out("listed", topic, await_listed(topics_listed(admin), topic, True))
    admin.delete_topics([topic])[topic].result()
    out("deleted", topic)
    out("listed", topic, await_listed(topics_listed(admin), topic, False))


def unknown_topic(bootstrap, topic):
    c = consumer(bootstrap)
    error = c.list_topics(topic=topic, timeout=DEADLINE_S).topics[topic].error
    out("error", "none" if error is None else error.name())
    c.close()


def out_of_range(bootstrap, topic, offset):
    c = consumer(bootstrap, **{"auto.offset.reset": "error", "enable.partition.eof": False})
    c.assign([TopicPartition(topic, 0, offset)])
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        msg = c.poll(0.2)
        if msg is None:
            continue
        if msg.error() is None:
            fail("read a record at offset %d" % msg.offset())
        # librdkafka reports the broker's OFFSET_OUT_OF_RANGE as a failed automatic reset
        out("error", msg.error().name(), "Offset out of range" in msg.error().str())
        break
    c.close()


def transactions(bootstrap, input_topic, output, group_id, transactional_id, count):
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": transactional_id,
                         "linger.ms": 5})
    producer.init_transactions(DEADLINE_S)
    # the group's metadata, as a consume-transform-produce application passes it
    group_member = consumer(bootstrap, **{"group.id": group_id})
    metadata = group_member.consumer_group_metadata()
    for prefix, size, offset, commit in (("committed", count, 3, True), ("aborted", count, 6, False),
                                         ("committed-last", 1, None, True)):
        producer.begin_transaction()
        for i in range(size):
            value = prefix if size == 1 else "%s-%d" % (prefix, i)
            producer.produce(output, key="k%d" % i, value=value, partition=0)
        if offset is not None:
            producer.send_offsets_to_transaction([TopicPartition(input_topic, 0, offset)], metadata, DEADLINE_S)
        # every record written before the transaction ends: librdkafka's abort purges what it has not
        # sent yet, which would leave fewer aborted records in the log than the scenario expects
        if producer.flush(DEADLINE_S) != 0:
            fail("records still unsent after %ss" % DEADLINE_S)
        if commit:
            producer.commit_transaction(DEADLINE_S)
            out("committed", size)
        else:
            producer.abort_transaction(DEADLINE_S)
            out("aborted", size)
    group_member.close()
    c = consumer(bootstrap, **{"isolation.level": "read_committed", "auto.offset.reset": "error",
                               "enable.partition.eof": False})
    c.assign([TopicPartition(output, 0, confluent_kafka.OFFSET_BEGINNING)])
    read = 0
    deadline = time.monotonic() + DEADLINE_S
    while read < count + 1 and time.monotonic() < deadline:
        msg = c.poll(0.2)
        if msg is None:
            continue
        if msg.error() is not None:
            fail("consume failed: " + str(msg.error()))
        record_line(msg)
        read += 1
    c.close()
    if read < count + 1:
        fail("read %d of %d committed records" % (read, count + 1))


def version():
    out("client", "confluent-kafka", confluent_kafka.version()[0], "librdkafka",
        confluent_kafka.libversion()[0])


SCENARIOS = {
    "produce": (produce, [str, str, str, int, str]),
    "consume": (consume, [str, str, str, int]),
    "watermarks": (watermarks, [str, str]),
    "group": (group, [str, str, str, int]),
    "admin": (admin_scenario, [str, str, int]),
    "unknown-topic": (unknown_topic, [str, str]),
    "out-of-range": (out_of_range, [str, str, int]),
    "transactions": (transactions, [str, str, str, str, str, int]),
    "version": (version, []),
}


if __name__ == "__main__":
    run(sys.argv[1:], SCENARIOS)
