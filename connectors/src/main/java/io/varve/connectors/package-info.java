/**
 * Varve's {@code connectors} module. See the module README and docs/architecture.md §2 for its role; it is an
 * empty shell until its issue is built.
 */
package io.varve.connectors;
