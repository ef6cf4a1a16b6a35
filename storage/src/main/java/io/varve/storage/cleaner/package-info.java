/**
 * Log compaction: Kafka's log cleaner on Varve's storage. A cleaner thread cleans a compacted log from a
 * {@link io.varve.storage.cleaner.CleaningSnapshot} its owner took ({@link
 * io.varve.storage.cleaner.CleanableRange} says which part and how dirty), with a bounded {@link
 * io.varve.storage.cleaner.KeyOffsetMap}, into {@code .cleaned} segments that the owner swaps in ({@link
 * io.varve.storage.log.PartitionLog#replaceSegments}). No class here touches a live log off its owner's
 * thread. See {@code docs/storage.md}.
 */
package io.varve.storage.cleaner;
