package io.varve.it.txn;

import io.varve.it.support.VarveNodeExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Transactions with transaction.version 2 (KIP-890), the default: kafka-clients 4.4 uses it. */
class TransactionsIT extends TransactionsTestBase {
    @RegisterExtension
    static final VarveNodeExtension node = new VarveNodeExtension();

    @Override
    VarveNodeExtension node() {
        return node;
    }

    @Override
    short epochAfterFirstTransaction() {
        return 1;
    }
}
