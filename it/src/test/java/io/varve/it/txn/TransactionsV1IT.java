package io.varve.it.txn;

import io.varve.it.support.VarveNodeExtension;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transactions with transaction.version 1 finalized: kafka-clients 4.4 falls back to KIP-98's
 * protocol (AddPartitionsToTxn from the producer, EndTxn v4, no epoch bump per transaction) and the
 * leaders verify the first write of each transaction (KIP-890 part 1).
 */
class TransactionsV1IT extends TransactionsTestBase {
    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension(Map.of("varve.txn.transaction-version", 1));

    @Override
    VarveNodeExtension node() {
        return node;
    }

    @Override
    short epochAfterFirstTransaction() {
        return 0;
    }
}
