# Shared by bench/run.sh and bench/profile.sh (sourced, not run): the brokers' settings, resolving
# Kafka and building Varve, starting and stopping one broker, and running one Kafka tool JVM.
#
# The sourcing script sets `root` (the repository) and `run` (its working directory under
# bench/target) before sourcing, and calls bench_prepare once.

heap="-Xmx1g -Xms1g"
# the JVM flags kafka-server-start.sh uses; Varve gets the same ones
broker_jvm="$heap -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
-XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true"
tool_jvm="-Xmx512m"
producer_props="linger.ms=5 batch.size=65536"
partitions=6

target="$root/bench/target"
logs="$run/logs"

broker_pid=""
tool_pid=""
port=""
launched_at=""

log() { echo "bench: $*" >&2; }

stop_pid() {  # stop_pid PID GRACE_SECONDS: TERM, then KILL after the grace period
  local pid=$1 grace=$2 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

alive() { [ -n "$broker_pid" ] && kill -0 "$broker_pid" 2>/dev/null; }
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo ""; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo ""; }

# free_port / free_block N: a free port, the first of N consecutive free ones. Any port, unless
# BENCH_PORTS=LOW-HIGH confines them (a machine shared by several people, each with a range); ports
# handed out once in this run are not handed out again while others are free (a small range runs out
# after a few rounds: then a port a stopped broker used, and that binds again, is handed out again).
free_port() { free_block 1; }

free_block() {
  python3 - "$1" "${BENCH_PORTS:-20000-49999}" "${run:-${TMPDIR:-/tmp}}/ports.used" <<'PY'
import random, socket, sys
n, (low, high), used_file = int(sys.argv[1]), map(int, sys.argv[2].split("-")), sys.argv[3]
try:
    used = set(int(p) for p in open(used_file).read().split())
except OSError:
    used = set()
def free(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()
def take(block):
    with open(used_file, "a") as f:
        f.write(" ".join(map(str, block)) + "\n")
    print(block[0])
    sys.exit(0)
for _ in range(2000):
    start = random.randint(low, high - n + 1)
    block = range(start, start + n)
    if not used.intersection(block) and all(free(p) for p in block):
        take(block)
for reuse in (False, True):
    for start in range(low, high - n + 2):
        block = range(start, start + n)
        if (reuse or not used.intersection(block)) and all(free(p) for p in block):
            take(block)
sys.exit("bench: no %d free consecutive ports in %d-%d" % (n, low, high))
PY
}

# bench_prepare: a fresh $run, Kafka resolved (and async-profiler, for bench/profile.sh), Varve built
# when its sources are newer than the last build; sets kafka_cp and probe_cp. BENCH_BASELINE, if set,
# names another checkout whose Varve is already built (mvn -DskipTests package) to start as "base".
bench_prepare() {
  rm -rf "$run"
  mkdir -p "$logs"
  local kafka_cp_file="$target/kafka.classpath"
  if [ ! -s "$kafka_cp_file" ] || [ "$root/bench/kafka-dist/pom.xml" -nt "$kafka_cp_file" ]; then
    log "resolving Apache Kafka 4.3.1 (broker, tools, log4j2) and async-profiler with Maven into $target"
    timeout 900 mvn -B -q -o -f "$root/bench/kafka-dist/pom.xml" generate-resources >/dev/null 2>&1 \
      || timeout 900 mvn -B -q -f "$root/bench/kafka-dist/pom.xml" generate-resources
    touch "$kafka_cp_file"  # the plugin leaves an unchanged classpath file untouched
  fi
  kafka_cp=$(cat "$kafka_cp_file")

  local node_cp_file="$root/actors/target/node.classpath" bench_cp_file="$target/bench.classpath"
  if [ ! -f "$node_cp_file" ] || [ ! -f "$bench_cp_file" ] \
     || [ -n "$(find "$root" -path '*/src/main/*' -newer "$bench_cp_file" -print -quit)" ]; then
    log "building Varve (mvn -o -DskipTests package -pl bench -am)"
    (cd "$root" && timeout 1200 mvn -B -q -o -DskipTests package -pl bench -am)
    touch "$bench_cp_file" "$node_cp_file"  # so bin/varve sees the build as current
  fi
  probe_cp="$target/classes:$(cat "$bench_cp_file")"
  if [ -n "${BENCH_BASELINE:-}" ] && [ ! -f "$BENCH_BASELINE/actors/target/node.classpath" ]; then
    log "BENCH_BASELINE=$BENCH_BASELINE has no built node (run mvn -DskipTests package there)"; exit 64
  fi

  # log4j2 for the Kafka broker (INFO to its log file) and for the tools (WARN to stderr)
  cat >"$run/log4j2-broker.properties" <<'EOF'
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
EOF
  cat >"$run/log4j2-tools.properties" <<'EOF'
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = ERR
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
EOF
}

tool_java() {  # tool_java SECONDS LOG MAINCLASS ARGS...: one of bench/'s own tools (kafka-clients 4.4.0), bounded
  local seconds=$1 out=$2 rc=0
  shift 2
  timeout "$seconds" java $tool_jvm -cp "$probe_cp" "$@" >"$out" 2>&1 &
  tool_pid=$!
  wait "$tool_pid" || rc=$?
  tool_pid=""
  return "$rc"
}

tool() {  # tool SECONDS LOG MAINCLASS ARGS...: one Kafka tool JVM, bounded, output to LOG
  local seconds=$1 out=$2 rc=0
  shift 2
  timeout "$seconds" java $tool_jvm -Dlog4j2.configurationFile="$run/log4j2-tools.properties" \
    -cp "$kafka_cp" "$@" >"$out" 2>&1 &
  tool_pid=$!
  wait "$tool_pid" || rc=$?
  tool_pid=""
  return "$rc"
}

start_kafka() {  # start_kafka NAME: fresh data, storage formatted, broker launched; sets port, broker_pid
  local name=$1 dir="$run/kafka-$1" cport
  port=$(free_port); cport=$(free_port)
  mkdir -p "$dir/data"
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# the compaction workload measures cleaning, not the wait for the next look (Varve gets the same)
log.cleaner.backoff.ms=100
EOF
  local cluster_id
  cluster_id=$(timeout 60 java $tool_jvm -cp "$kafka_cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
  timeout 120 java $tool_jvm -Dlog4j2.configurationFile="$run/log4j2-tools.properties" -cp "$kafka_cp" \
    kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$dir/server.properties" \
    >"$logs/kafka-$name-format.log" 2>&1
  launched_at=$(date +%s%3N)
  java $broker_jvm -Dlog4j2.configurationFile="$run/log4j2-broker.properties" -Dkafka.logs.dir="$dir" \
    -cp "$kafka_cp" kafka.Kafka "$dir/server.properties" >"$logs/kafka-$name-broker.log" 2>&1 &
  broker_pid=$!
}

start_varve() { launch_varve "$1" varve "$root"; }  # start_varve NAME: this checkout's Varve
start_base() { launch_varve "$1" base "$BENCH_BASELINE"; }  # start_base NAME: the baseline checkout's

launch_varve() {  # launch_varve NAME SYSTEM HOME: fresh data directory, the node started by HOME's bin/varve
  local name=$1 sys=$2 home=$3 dir="$run/$2-$1"
  port=$(free_port)
  local cluster_port
  cluster_port=$(free_port)
  mkdir -p "$dir/data"
  # the cluster port under both keys: builds before the cluster work read pekko's key directly
  cat >"$dir/bench.conf" <<EOF
include file("$home/application.conf")
varve.data-dir = "$dir/data"
varve.transport.port = $port
varve.cluster.port = $cluster_port
pekko.remote.artery.canonical.port = $cluster_port
# as Kafka's group.initial.rebalance.delay.ms=0 above
varve.group.initial-rebalance-delay = 0s
# as Kafka's log.cleaner.backoff.ms=100 above
varve.cleaner.backoff = 100ms
${BENCH_VARVE_CONF:-}
EOF
  launched_at=$(date +%s%3N)
  # bin/varve execs the JVM, so this PID is the broker's
  JAVA_OPTS="$broker_jvm" "$home/bin/varve" start --config "$dir/bench.conf" >"$logs/$sys-$name-broker.log" 2>&1 &
  broker_pid=$!
}

first_start() {  # first_start SYSTEM: one unmeasured start and clean stop, as a user's first start after a build
  log "$1: first start after the build (bin/varve records its class-data archive), not measured"
  "start_$1" first
  wait_first_produce "$1" first || log "$1: the first start did not accept a produce; see $logs"
  stop_broker
}

stop_broker() {
  log "stopping broker pid $broker_pid (SIGTERM, SIGKILL after 30 s)"
  stop_pid "$broker_pid" 30
  broker_pid=""
}

wait_first_produce() {  # wait_first_produce SYSTEM NAME: the startup probe's output file; 1 if it failed
  local out="$logs/$1-$2-startup.log"
  timeout 150 java $tool_jvm -cp "$probe_cp" io.varve.bench.FirstProduceProbe "127.0.0.1:$port" startup-probe \
    "$launched_at" 120 >"$out" 2>&1 &
  probe_pid=$!
  wait "$probe_pid" || true
  probe_pid=""
  grep -q 'first-produce-ms=[0-9]' "$out"
}

create_topic() {  # create_topic SYSTEM NAME TOPIC: 6 partitions, replication factor 1
  tool 120 "$logs/$1-$2-create-$3.log" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" \
    --create --topic "$3" --partitions "$partitions" --replication-factor 1
}
