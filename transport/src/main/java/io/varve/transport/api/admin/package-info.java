/**
 * Kafka's admin APIs: one stateless {@link io.varve.transport.api.ApiHandler} per API key, listed by
 * {@link io.varve.transport.api.admin.AdminHandlers#list}.
 *
 * <ul>
 *   <li>{@code topics}: CreateTopics, DeleteTopics, CreatePartitions (through the controller; creation
 *       answers only once the partitions are hosted here) and DescribeTopicPartitions (from the image).
 *   <li>{@code configs}: DescribeConfigs, AlterConfigs, IncrementalAlterConfigs; topic configs with
 *       Kafka's sources and broker-name synonyms ({@code BrokerConfigNames}); changes stored as full
 *       override sets with {@code Controller.ReplaceConfigs}.
 *   <li>{@code cluster}: DescribeCluster, DescribeLogDirs.
 *   <li>{@code partitions}: DeleteRecords, DescribeProducers, through the local leader's {@code
 *       PartitionActor}.
 * </ul>
 *
 * <p>Handlers run on the calling connection's thread, read the {@code MetadataCache} without
 * messaging, and compose {@code ask}s (timeout {@code varve.transport.ask-timeout}; a timeout answers
 * {@code REQUEST_TIMED_OUT}) without blocking.
 */
package io.varve.transport.api.admin;
