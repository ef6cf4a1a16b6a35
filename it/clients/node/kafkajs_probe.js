#!/usr/bin/env node
// kafkajs driven by Varve's client matrix. The commands and the lines they print are those of
// it/clients/python/confluent_probe.py; what differs is said where it happens:
// - kafkajs has no assign(): a consumer joins a fresh group and seeks, as kafkajs users do;
// - a send reports the base offset of each batch: the records of one batch are at base, base+1, ...;
// - kafkajs ships gzip only; snappy comes from kafkajs-snappy, lz4 and zstd from pure-JS/wasm
//   libraries (lz4js, @bokuweb/zstd-wasm) through the small codecs below (kafkajs' documented
//   CompressionCodecs hook): the native kafkajs-lz4 and @kafkajs/zstd need a compiler and node-gyp.
'use strict'

const { Kafka, CompressionTypes, CompressionCodecs, logLevel } = require('kafkajs')
const SnappyCodec = require('kafkajs-snappy')
const lz4 = require('lz4js')
const zstd = require('@bokuweb/zstd-wasm')
const xxh32 = require('lz4js/xxh32.js')

const DEADLINE_MS = 30000
const CLIENT = 'kafkajs'
const PADDING = 'x'.repeat(64) // as in confluent_probe.py
const CODECS = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
}

CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  async compress(encoder) {
    return lz4Frame(encoder.buffer)
  },
  async decompress(buffer) {
    return Buffer.from(lz4.decompress(buffer))
  },
})
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  async compress(encoder) {
    await zstd.init()
    return Buffer.from(zstd.compress(encoder.buffer, 3))
  },
  async decompress(buffer) {
    await zstd.init()
    return Buffer.from(zstd.decompress(buffer))
  },
})

// An LZ4 frame as Kafka reads it: independent blocks (lz4js' own frame leaves that flag clear,
// which Kafka's reader refuses), 64 KB each, no checksums. lz4js compresses each block afresh.
function lz4Frame(src) {
  const blockSize = 64 * 1024
  const header = Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0]) // magic, FLG v1|independent, BD 64 KB
  header[6] = (xxh32.hash(0, header, 4, 2) >> 8) & 0xff
  const parts = [header]
  for (let start = 0; start < src.length; start += blockSize) {
    const block = src.subarray(start, Math.min(start + blockSize, src.length))
    const compressed = Buffer.alloc(lz4.compressBound(block.length))
    const size = lz4.compressBlock(block, compressed, 0, block.length, new Uint32Array(1 << 16))
    const length = Buffer.alloc(4)
    if (size === 0 || size >= block.length) {
      length.writeUInt32LE((0x80000000 | block.length) >>> 0) // stored uncompressed
      parts.push(length, block)
    } else {
      length.writeUInt32LE(size)
      parts.push(length, compressed.subarray(0, size))
    }
  }
  parts.push(Buffer.alloc(4)) // end mark
  return Buffer.concat(parts)
}

const out = (...words) => process.stdout.write(words.join(' ') + '\n')
const text = data => (data === null || data === undefined ? '-' : data.toString('utf8'))
const headerText = headers => {
  const names = Object.keys(headers || {})
  return names.length === 0 ? '-' : names.map(name => name + '=' + text(headers[name])).join(',')
}
const recordLine = (partition, message) =>
  out('record', partition, message.offset, text(message.key), text(message.value), headerText(message.headers))

// what kafkajs logs at ERROR, for the scenarios where the client's reaction is only a log line
const logged = []
const kafka = bootstrap =>
  new Kafka({
    clientId: 'varve-matrix',
    brokers: [bootstrap],
    retry: { retries: 3 },
    logLevel: logLevel.ERROR,
    logCreator: () => ({ log }) => logged.push(log.message),
  })

const deadline = (what, ms = DEADLINE_MS) => {
  let timer
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(what + ' did not happen within ' + ms + ' ms')), ms)
  })
  return { promise, cancel: () => clearTimeout(timer) }
}

async function produce(bootstrap, topic, codec, count, idempotent) {
  const producer = kafka(bootstrap).producer({ idempotent: idempotent === 'true', maxInFlightRequests: 1 })
  await producer.connect()
  const messages = []
  for (let i = 0; i < count; i++) {
    messages.push({ key: 'k' + i, value: codec + '-' + i + '-' + PADDING, partition: 0, headers: { client: CLIENT, codec } })
  }
  const sent = await producer.send({ topic, acks: -1, compression: CODECS[codec], messages })
  for (const batch of sent) {
    for (let i = 0; i < count; i++) {
      out('sent', batch.partition, Number(batch.baseOffset) + i)
    }
  }
  await producer.disconnect()
}

// reads `count` records of partition 0 from `offset` (a number, or null to start where the
// group's reset puts it) and resolves when they arrived
async function readPartition(client, topic, offset, count, { fromBeginning, onReady, readUncommitted } = {}) {
  const consumer = client.consumer({
    groupId: 'probe-' + process.hrtime.bigint(),
    maxWaitTimeInMs: 200,
    readUncommitted: readUncommitted === true,
  })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning })
  const limit = deadline('reading ' + count + ' records')
  let read = 0
  let ready = false
  const done = new Promise(resolve => {
    if (onReady) {
      consumer.on(consumer.events.FETCH, () => {
        if (!ready) {
          ready = true
          onReady()
        }
      })
    }
    consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (read < count) {
          recordLine(partition, message)
          read++
          if (read === count) resolve()
        }
      },
    })
  })
  if (offset !== null) consumer.seek({ topic, partition: 0, offset: String(offset) })
  try {
    await Promise.race([done, limit.promise])
  } finally {
    limit.cancel()
    await consumer.disconnect()
  }
}

async function consume(bootstrap, topic, start, count) {
  const client = kafka(bootstrap)
  if (start === 'beginning') {
    await readPartition(client, topic, null, count, { fromBeginning: true })
  } else if (start === 'end') {
    // a fresh group without commits starts at the end; after its first fetch it is positioned
    await readPartition(client, topic, null, count, { fromBeginning: false, onReady: () => out('ready') })
  } else if (start.startsWith('offset:')) {
    await readPartition(client, topic, Number(start.slice('offset:'.length)), count, { fromBeginning: true })
  } else if (start.startsWith('time:')) {
    const ts = Number(start.slice('time:'.length))
    const admin = client.admin()
    await admin.connect()
    const found = (await admin.fetchTopicOffsetsByTimestamp(topic, ts)).find(p => p.partition === 0)
    await admin.disconnect()
    out('offset-for-time', ts, found.offset)
    await readPartition(client, topic, Number(found.offset), count, { fromBeginning: true })
  } else {
    throw new Error('unknown start ' + start)
  }
}

async function watermarks(bootstrap, topic) {
  const admin = kafka(bootstrap).admin()
  await admin.connect()
  const p0 = (await admin.fetchTopicOffsets(topic)).find(p => p.partition === 0)
  out('watermarks', 0, p0.low, p0.high)
  await admin.disconnect()
}

async function group(bootstrap, topic, groupId, count) {
  const consumer = kafka(bootstrap).consumer({ groupId, maxWaitTimeInMs: 200 })
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  const limit = deadline('reading ' + count + ' records')
  let read = 0
  let last = null
  const done = new Promise(resolve => {
    consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (read < count) {
          recordLine(partition, message)
          last = { partition, offset: Number(message.offset) }
          read++
          if (read === count) resolve()
        }
      },
    })
  })
  try {
    await Promise.race([done, limit.promise])
  } finally {
    limit.cancel()
  }
  await consumer.commitOffsets([{ topic, partition: last.partition, offset: String(last.offset + 1) }])
  await consumer.disconnect()
  const admin = kafka(bootstrap).admin()
  await admin.connect()
  for (const { partitions } of await admin.fetchOffsets({ groupId, topics: [topic] })) {
    for (const p of partitions.filter(p => p.partition === last.partition)) {
      out('committed', p.partition, p.offset)
    }
  }
  await admin.disconnect()
}

async function awaitListed(admin, topic, expected) {
  const end = Date.now() + DEADLINE_MS
  while (Date.now() < end) {
    if ((await admin.listTopics()).includes(topic) === expected) return expected
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  return !expected
}

async function adminScenario(bootstrap, topic, partitions) {
  const admin = kafka(bootstrap).admin()
  await admin.connect()
  if (!(await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }] }))) {
    throw new Error('createTopics answered that ' + topic + ' exists')
  }
  out('created', topic)
  const [described] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics
  const leaders = described.partitions.sort((a, b) => a.partitionId - b.partitionId).map(p => p.leader)
  out('described', topic, 'partitions', leaders.length, 'leaders', leaders.join(','))
  out('listed', topic, (await awaitListed(admin, topic, true)) ? 'True' : 'False')
  await admin.deleteTopics({ topics: [topic] })
  out('deleted', topic)
  out('listed', topic, (await awaitListed(admin, topic, false)) ? 'True' : 'False')
  await admin.disconnect()
}

async function unknownTopic(bootstrap, topic) {
  const admin = kafka(bootstrap).admin()
  await admin.connect()
  try {
    await admin.fetchTopicMetadata({ topics: [topic] })
    out('error', 'none')
  } catch (e) {
    out('error', e.type || e.name)
  } finally {
    await admin.disconnect()
  }
}

async function outOfRange(bootstrap, topic, offset) {
  // kafkajs has no auto.offset.reset=none: on OFFSET_OUT_OF_RANGE it logs an error and resets
  // to the group's default (here the beginning), so the broker's answer shows as that log line
  // followed by the first record
  await readPartition(kafka(bootstrap), topic, offset, 1, { fromBeginning: true })
  const resets = logged.filter(message => message.startsWith('Offset out of range'))
  out('error', resets.length > 0 ? 'OFFSET_OUT_OF_RANGE' : 'none')
}

// the transactions scenario of confluent_probe.py: three transactions (committed with the group's
// offset 3 of INPUT, aborted with offset 6, one record committed), then a read_committed read
async function transactions(bootstrap, input, output, groupId, transactionalId, count) {
  const client = kafka(bootstrap)
  const producer = client.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const rounds = [
    ['committed', count, 3, true],
    ['aborted', count, 6, false],
    ['committed-last', 1, null, true],
  ]
  for (const [prefix, size, offset, commit] of rounds) {
    const transaction = await producer.transaction()
    const messages = []
    for (let i = 0; i < size; i++) {
      messages.push({ key: 'k' + i, value: size === 1 ? prefix : prefix + '-' + i, partition: 0 })
    }
    await transaction.send({ topic: output, messages })
    if (offset !== null) {
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: String(offset) }] }],
      })
    }
    if (commit) {
      await transaction.commit()
      out('committed', size)
    } else {
      await transaction.abort()
      out('aborted', size)
    }
  }
  await producer.disconnect()
  await readPartition(client, output, null, count + 1, { fromBeginning: true, readUncommitted: false })
}

async function main([command, bootstrap, ...args]) {
  if (command === 'produce') await produce(bootstrap, args[0], args[1], Number(args[2]), args[3])
  else if (command === 'consume') await consume(bootstrap, args[0], args[1], Number(args[2]))
  else if (command === 'watermarks') await watermarks(bootstrap, args[0])
  else if (command === 'group') await group(bootstrap, args[0], args[1], Number(args[2]))
  else if (command === 'admin') await adminScenario(bootstrap, args[0], Number(args[1]))
  else if (command === 'unknown-topic') await unknownTopic(bootstrap, args[0])
  else if (command === 'out-of-range') await outOfRange(bootstrap, args[0], Number(args[1]))
  else if (command === 'transactions')
    await transactions(bootstrap, args[0], args[1], args[2], args[3], Number(args[4]))
  else if (command === 'version') out('client', 'kafkajs', require('kafkajs/package.json').version)
  else throw new Error('unknown command ' + command)
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  e => {
    process.stderr.write((e && e.stack) + '\n' + logged.join('\n') + '\n')
    process.exit(1)
  }
)
