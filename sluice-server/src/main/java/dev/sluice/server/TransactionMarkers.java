package dev.sluice.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.TransactionResult;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest.TxnMarkerEntry;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * Writes a transaction's commit or abort marker to one partition of the embedded broker (its only broker, so
 * every partition's leader), with the request a transaction coordinator sends (WriteTxnMarkers).
 *
 * <p>Kafka's Admin API can only abort ({@code Admin.abortTransaction}); a transaction its coordinator committed
 * but whose marker was skipped ({@link InDoubtTransactions}) needs a commit marker, or its records would be
 * lost to {@code read_committed} readers. The broker has no authorizer in {@code sluice dev}, so it accepts
 * this request from a client as it does from a coordinator.
 */
final class TransactionMarkers {
    private static final int TIMEOUT_MS = 10_000;
    private static final String CLIENT_ID = "sluice-hanging-transactions";

    private TransactionMarkers() {}

    /**
     * Ends the transaction producer {@code producerId} holds open on {@code partition} at {@code producerEpoch}
     * with {@code outcome}, as of {@code coordinatorEpoch} (the partition's last known one for that producer).
     */
    static void write(
            InetSocketAddress broker,
            TopicPartition partition,
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            TransactionResult outcome)
            throws IOException {
        short version = ApiKeys.WRITE_TXN_MARKERS.latestVersion();
        // Transaction version 0 semantics, as Admin.abortTransaction uses: the marker's epoch is the open one.
        TxnMarkerEntry marker =
                new TxnMarkerEntry(producerId, producerEpoch, coordinatorEpoch, outcome, List.of(partition), (short) 0);
        RequestHeader header = new RequestHeader(ApiKeys.WRITE_TXN_MARKERS, version, CLIENT_ID, 1);
        ByteBuffer request = new WriteTxnMarkersRequest.Builder(List.of(marker))
                .build(version)
                .serializeWithHeader(header);
        byte[] answer;
        try (Socket socket = new Socket()) {
            socket.connect(broker, TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] bytes = new byte[request.remaining()];
            request.get(bytes);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            answer = new byte[in.readInt()];
            in.readFully(answer);
        }
        WriteTxnMarkersResponse response =
                (WriteTxnMarkersResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(answer), header);
        Errors error = response.errorsByProducerId()
                .getOrDefault(producerId, Map.of())
                .getOrDefault(partition, Errors.UNKNOWN_SERVER_ERROR);
        if (error != Errors.NONE) {
            throw error.exception(
                    "the broker refused the " + outcome + " marker for producer " + producerId + " on " + partition);
        }
    }
}
