package dev.sluice.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.server.HangingTransactions.Verdict;
import dev.sluice.wire.Topics;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** What a coordinator's view means for a transaction open on a partition: only what none can end is hanging. */
class HangingTransactionsTest {
    private static final TopicPartition TP = new TopicPartition(Topics.output("events"), 2);
    private static final TopicPartition OTHER = new TopicPartition(Topics.output("events"), 1);
    private static final long PRODUCER = 6;
    private static final ProducerState OPEN_AT_34 =
            new ProducerState(PRODUCER, 34, 457, 0, OptionalInt.of(0), OptionalLong.of(8258));

    private static Verdict judge(TransactionState state, int epoch, Set<TopicPartition> partitions) {
        return HangingTransactions.judge(
                TP,
                OPEN_AT_34,
                new TransactionDescription(1, state, PRODUCER, epoch, 5_000, OptionalLong.empty(), partitions));
    }

    @Test
    void aTransactionNoCoordinatorListsIsHanging() {
        assertEquals(Verdict.HANGING, HangingTransactions.judge(TP, OPEN_AT_34, null));
    }

    @Test
    void aTransactionItsCoordinatorAbortedOrForgotIsHanging() {
        assertEquals(Verdict.HANGING, judge(TransactionState.COMPLETE_ABORT, 35, Set.of()));
        assertEquals(Verdict.HANGING, judge(TransactionState.EMPTY, 34, Set.of()));
    }

    @Test
    void aTransactionItsCoordinatorHasMovedPastIsHanging() {
        // The producer's next transaction has begun; this one's markers never came.
        assertEquals(Verdict.HANGING, judge(TransactionState.ONGOING, 35, Set.of(TP)));
        assertEquals(Verdict.HANGING, judge(TransactionState.ONGOING, 36, Set.of(TP)));
        assertEquals(Verdict.HANGING, judge(TransactionState.ONGOING, 34, Set.of(OTHER)));
    }

    @Test
    void aTransactionItsCoordinatorWillEndIsLive() {
        assertEquals(Verdict.LIVE, judge(TransactionState.ONGOING, 34, Set.of(TP)));
        assertEquals(Verdict.LIVE, judge(TransactionState.PREPARE_COMMIT, 34, Set.of(TP)));
        assertEquals(Verdict.LIVE, judge(TransactionState.PREPARE_EPOCH_FENCE, 34, Set.of(TP)));
        // Version 2 transactions end with the epoch bumped: these markers still end this one.
        assertEquals(Verdict.LIVE, judge(TransactionState.PREPARE_ABORT, 35, Set.of(TP)));
        assertEquals(Verdict.LIVE, judge(TransactionState.PREPARE_COMMIT, 35, Set.of(TP)));
    }

    @Test
    void aTransactionItsCoordinatorCommittedIsNeverAborted() {
        assertEquals(Verdict.COMMITTED_BUT_OPEN, judge(TransactionState.COMPLETE_COMMIT, 34, Set.of()));
        assertEquals(Verdict.COMMITTED_BUT_OPEN, judge(TransactionState.COMPLETE_COMMIT, 35, Set.of()));
    }
}
