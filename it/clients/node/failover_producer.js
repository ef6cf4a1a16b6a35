// An idempotent acks=all producer on kafkajs for ClusterIT's failover.
//
//   node failover_producer.js BOOTSTRAP TOPIC MAX_COUNT
//
// The same protocol as it/clients/python/failover_producer.py: values j0, j1, ... to partition 0 of
// TOPIC, in sends of 10 records, one send in flight (kafkajs' idempotent producer allows no more),
// until a line arrives on standard input (or MAX_COUNT were sent); one line a record, "acked OFFSET
// VALUE" or "failed VALUE ERROR", then "done 0". The test kills the partition's leader while this runs
// and checks that every acknowledged value is in the log exactly once, at its offset, in order.
const { Kafka, logLevel } = require('kafkajs')

const [bootstrap, topic, max] = process.argv.slice(2)
const BATCH = 10

async function main () {
  const kafka = new Kafka({
    clientId: 'varve-failover',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    requestTimeout: 30000,
    retry: { retries: 1000, initialRetryTime: 100, maxRetryTime: 1000 }
  })
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  let stop = false
  process.stdin.on('data', () => { stop = true })
  await producer.connect()
  for (let i = 0; i < Number(max) && !stop; i += BATCH) {
    const values = []
    for (let j = i; j < i + BATCH; j++) values.push('j' + j)
    try {
      const [result] = await producer.send({
        topic,
        acks: -1,
        messages: values.map((value, n) => ({ key: 'k' + (i + n), value, partition: 0 }))
      })
      const base = Number(result.baseOffset)
      values.forEach((value, n) => console.log('acked', base + n, value))
    } catch (error) {
      values.forEach(value => console.log('failed', value, String(error.message).replace(/\n/g, ' ')))
    }
  }
  await producer.disconnect()
  // exit once the line is written: a piped stdout is asynchronous
  process.stdout.write('done 0\n', () => process.exit(0))
}

main().catch(error => {
  console.error(error)
  process.exit(1)
})
