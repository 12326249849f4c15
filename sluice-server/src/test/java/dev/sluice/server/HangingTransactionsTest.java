package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Which open transactions are hanging: only those no coordinator can complete, and never a young one. */
class HangingTransactionsTest {
    private static final TopicPartition TP = new TopicPartition("events.out", 2);
    private static final long NOW = 1_000_000;
    private static final long OLD = NOW - HangingTransactions.MIN_AGE.toMillis();
    private static final long PRODUCER = 6;

    private static ProducerState open(int epoch, long lastTimestamp) {
        return new ProducerState(PRODUCER, epoch, 457, lastTimestamp, OptionalInt.of(0), OptionalLong.of(8258));
    }

    private static TransactionDescription coordinator(TransactionState state, int epoch, Set<TopicPartition> tps) {
        return new TransactionDescription(1, state, PRODUCER, epoch, 5_000, OptionalLong.of(OLD), tps);
    }

    private static Set<TopicPartition> hanging(ProducerState open, TransactionDescription known) {
        Map<Long, TransactionDescription> coordinators = known == null ? Map.of() : Map.of(PRODUCER, known);
        return HangingTransactions.find(Map.of(TP, open), coordinators, NOW).keySet();
    }

    @Test
    void aTransactionNoCoordinatorListsIsHanging() {
        assertEquals(Set.of(TP), hanging(open(34, OLD), null));
    }

    @Test
    void aTransactionItsCoordinatorCompletedIsHanging() {
        assertEquals(Set.of(TP), hanging(open(34, OLD), coordinator(TransactionState.COMPLETE_ABORT, 35, Set.of())));
        assertEquals(Set.of(TP), hanging(open(34, OLD), coordinator(TransactionState.EMPTY, 34, Set.of())));
    }

    @Test
    void aTransactionItsCoordinatorHasMovedPastIsHanging() {
        assertEquals(Set.of(TP), hanging(open(34, OLD), coordinator(TransactionState.ONGOING, 36, Set.of(TP))));
        assertEquals(
                Set.of(TP),
                hanging(
                        open(34, OLD),
                        coordinator(TransactionState.ONGOING, 34, Set.of(new TopicPartition("events.out", 1)))));
    }

    @Test
    void aTransactionItsCoordinatorWillCompleteIsLeftAlone() {
        assertEquals(Set.of(), hanging(open(34, OLD), coordinator(TransactionState.ONGOING, 34, Set.of(TP))));
        assertEquals(Set.of(), hanging(open(34, OLD), coordinator(TransactionState.PREPARE_COMMIT, 34, Set.of(TP))));
        // Version 2 transactions abort with the epoch bumped: the markers still complete this one.
        assertEquals(Set.of(), hanging(open(34, OLD), coordinator(TransactionState.PREPARE_ABORT, 35, Set.of(TP))));
    }

    @Test
    void aYoungTransactionIsLeftAloneWhateverTheCoordinatorSays() {
        assertEquals(Set.of(), hanging(open(34, NOW - 1), null));
    }
}
