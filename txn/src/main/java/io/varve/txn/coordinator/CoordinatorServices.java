package io.varve.txn.coordinator;

import io.varve.txn.TransactionRegistry;
import io.varve.txn.TxnSettings;
import io.varve.txn.markers.GroupMarkerWriter;
import io.varve.txn.markers.MarkerWriter;
import io.varve.txn.pid.ProducerIdManager;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a transaction coordinator entity uses on the node that hosts it: settings, the node's
 * producer-id manager, the marker writers, the node's registry and the clock. Built once per node;
 * every member is thread-safe.
 */
public record CoordinatorServices(
        TxnSettings settings,
        ActorRef<ProducerIdManager.Command> producerIds,
        MarkerWriter partitionMarkers,
        GroupMarkerWriter groupMarkers,
        ActorRef<TransactionRegistry.Command> registry,
        LongSupplier clock) {}
