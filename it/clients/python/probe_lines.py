"""What Varve's Python client probes share: the one-fact-a-line output ClientMatrix compares,
waiting with a deadline, and the command dispatch. The probes import it from their own folder
(Python puts a script's folder first on its path)."""
import sys
import time

DEADLINE_S = 30.0
# produced values repeat it, so that every codec shrinks a batch (librdkafka sends a batch
# uncompressed when compressing does not make it smaller)
PADDING = "x" * 64


def out(*words):
    print(*words, flush=True)


def fail(message):
    print(message, file=sys.stderr, flush=True)
    sys.exit(1)


def text(data):
    return "-" if data is None else data.decode("utf-8")


def header_text(headers):
    if not headers:
        return "-"
    return ",".join(name + "=" + text(value) for name, value in headers)


def record(partition, offset, key, value, headers):
    out("record", partition, offset, text(key), text(value), header_text(headers))


def await_true(condition):
    """Evaluates condition until it holds or DEADLINE_S passed; returns whether it held."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)  # the poll interval of a deadline-bounded wait


def await_listed(listed, topic, expected):
    """Whether TOPIC is listed as EXPECTED within the deadline; listed() gives the topic names."""
    reached = await_true(lambda: (topic in listed()) == expected)
    return expected if reached else not expected


def run(args, scenarios):
    """Runs the command args[0] with the remaining arguments; scenarios maps a command to
    (function, argument converters)."""
    command = args[0] if args else ""
    if command not in scenarios:
        fail("unknown command " + command)
    function, converters = scenarios[command]
    values = args[1:1 + len(converters)]
    if len(values) != len(converters):
        fail("%s takes %d arguments" % (command, len(converters)))
    function(*[convert(value) for convert, value in zip(converters, values)])
