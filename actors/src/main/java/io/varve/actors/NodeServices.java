package io.varve.actors;

import io.varve.group.GroupCoordinators;
import io.varve.transport.api.BrokerServices;

/**
 * The services of a running node for in-process users that talk to its actors directly instead of
 * through the Kafka listener (the connectors module's embedded node and Pekko Streams stages): the
 * same partition actors, metadata, controller and producer-id manager the request handlers use, and
 * the group coordinators the group handlers use. Built once by {@link NodeGuardian}; every member is
 * thread-safe.
 *
 * @param broker what every request handler is given
 * @param groups the sharded group coordinators
 */
public record NodeServices(BrokerServices broker, GroupCoordinators groups) {}
