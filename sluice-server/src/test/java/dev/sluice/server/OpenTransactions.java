package dev.sluice.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * What holds back {@code read_committed} readers, for a failure message: what the coordinators know of open
 * transactions, each consumer group's lag, and the partitions a transaction holds open. A partition held open by
 * a producer the coordinators do not list is a hanging transaction (see HangingTransactions).
 */
final class OpenTransactions {
    private OpenTransactions() {}

    static String describe(Admin admin) {
        try {
            List<String> lines = new ArrayList<>();
            lines.add(coordinators(admin));
            lines.addAll(groups(admin));
            HangingTransactions.openTransactions(admin).forEach((tp, p) -> lines.add(tp + " held open by " + p));
            return String.join("\n", lines);
        } catch (Exception e) {
            return "unknown (" + e + ")";
        }
    }

    private static String coordinators(Admin admin) throws Exception {
        List<String> ids = admin.listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                .filter(t -> t.state() != TransactionState.COMPLETE_COMMIT
                        && t.state() != TransactionState.COMPLETE_ABORT
                        && t.state() != TransactionState.EMPTY)
                .map(TransactionListing::transactionalId)
                .toList();
        return "coordinators' open transactions: "
                + (ids.isEmpty()
                        ? "none"
                        : admin.describeTransactions(ids)
                                .all()
                                .get(10, TimeUnit.SECONDS)
                                .toString());
    }

    private static List<String> groups(Admin admin) throws Exception {
        List<String> lines = new ArrayList<>();
        for (var group : admin.listGroups().all().get(10, TimeUnit.SECONDS)) {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.forEach((tp, offset) -> {
                if (offset != null) {
                    latest.put(tp, OffsetSpec.latest());
                }
            });
            var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get(10, TimeUnit.SECONDS);
            long lag = stable.entrySet().stream()
                    .mapToLong(e ->
                            e.getValue().offset() - committed.get(e.getKey()).offset())
                    .sum();
            lines.add("group " + group.groupId() + ": " + lag + " committed records not yet consumed");
        }
        return lines;
    }
}
