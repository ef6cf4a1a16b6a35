package io.varve.transport.api.fetch;

import org.apache.kafka.common.TopicIdPartition;

/**
 * What to read from one partition in a Fetch: from the request, or for an incremental fetch session
 * from the session's cache. The topic name is null for a topic id this node does not know.
 */
record PartitionFetch(TopicIdPartition partition, long fetchOffset, int maxBytes, int currentLeaderEpoch) {}
