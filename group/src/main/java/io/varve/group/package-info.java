/**
 * Varve's {@code group} module: the consumer-group coordinator, one sharded event-sourced entity
 * per group id. See the module README and docs/groups.md.
 */
package io.varve.group;
