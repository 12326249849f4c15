package dev.sluice.sink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Locale;

/**
 * The event announcing a written object on {@code sluice.notifications}, keyed by object key: the
 * shape of an R2 event notification plus what the pipeline knows about the batch.
 *
 * <pre>{@code
 * {"account":"sluice","bucket":"sluice","object":{"key":"events/year=2026/…/01K….json.gz","size":5123,"eTag":"9b2c…"},
 *  "action":"PutObject","eventTime":"2026-11-22T13:05:10.120Z","pipeline":"events","records":1000,
 *  "minEventTime":"2026-11-22T13:05:00Z","maxEventTime":"2026-11-22T13:05:09.870Z","format":"ndjson",
 *  "closedBy":"duration","recovered":false,"writtenBy":"sluice-sink-events-4f0c…"}
 * }</pre>
 *
 * {@code closedBy} is the limit that closed the batch ({@link CloseReason}); {@code recovered} is true when
 * the sink that recorded the batch did not live to confirm it and another life of the sink (after a crash,
 * a restart or a rebalance) wrote it from its recorded manifest; {@code writtenBy} names the sink process.
 *
 * Delivery is at least once: a consumer de-duplicates by object key.
 */
final class Notification {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Notification() {}

    static byte[] of(
            String account,
            String pipeline,
            BatchManifest written,
            Instant eventTime,
            boolean recovered,
            String writtenBy) {
        ObjectNode n = JSON.createObjectNode();
        n.put("account", account);
        n.put("bucket", written.bucket());
        ObjectNode object = n.putObject("object");
        object.put("key", written.key());
        object.put("size", written.size());
        object.put("eTag", written.eTag() == null ? null : written.eTag().replace("\"", ""));
        n.put("action", "PutObject");
        n.put("eventTime", eventTime.toString());
        n.put("pipeline", pipeline);
        n.put("records", written.recordsWritten());
        n.put("minEventTime", Instant.ofEpochMilli(written.minEventTime()).toString());
        n.put("maxEventTime", Instant.ofEpochMilli(written.maxEventTime()).toString());
        n.put("format", written.format().yamlName());
        n.put("closedBy", written.closedBy().name().toLowerCase(Locale.ROOT));
        n.put("recovered", recovered);
        n.put("writtenBy", writtenBy);
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
