package io.varve.transport.api.txn;

import io.varve.group.GroupCoordinators;
import io.varve.transport.api.ApiHandler;
import java.util.List;

/**
 * The transaction handlers for the node's handler registry: AddPartitionsToTxn, AddOffsetsToTxn,
 * EndTxn, TxnOffsetCommit, WriteTxnMarkers, DescribeTransactions, ListTransactions. InitProducerId
 * and FindCoordinator live with the core and group handlers and reach the coordinators through the
 * node's services. Every handler is stateless.
 */
public final class TxnHandlers {
    private TxnHandlers() {}

    /** @param offsetMetadataMaxBytes {@code offset.metadata.max.bytes} for TxnOffsetCommit */
    public static List<ApiHandler> list(GroupCoordinators groups, int offsetMetadataMaxBytes) {
        return List.of(
                new AddPartitionsToTxnHandler(),
                new AddOffsetsToTxnHandler(),
                new EndTxnHandler(),
                new TxnOffsetCommitHandler(groups, offsetMetadataMaxBytes),
                new WriteTxnMarkersHandler(),
                new DescribeTransactionsHandler(),
                new ListTransactionsHandler());
    }
}
