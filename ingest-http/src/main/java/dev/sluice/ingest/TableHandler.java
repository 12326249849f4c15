package dev.sluice.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.TableConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code PUT /tables/{table}/{key}} with a JSON body sets a row of a lookup table;
 * {@code DELETE /tables/{table}/{key}} removes it. Answers once Kafka acknowledged the change.
 * Transforms see it shortly after, through {@code context.lookup(table, key)}.
 */
final class TableHandler {
    private static final Logger log = LoggerFactory.getLogger(TableHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rows are single JSON values, not bulk loads; a bigger one belongs on the topic directly. */
    static final int MAX_VALUE_BYTES = 1 << 20;

    private record Table(TableConfig config, TokenCheck tokens) {}

    private final Map<String, Table> tables;
    private final TableWriter writer;

    TableHandler(SluiceConfig config, TableWriter writer) {
        this.tables = config.tables().stream()
                .collect(Collectors.toUnmodifiableMap(
                        TableConfig::name,
                        t -> new Table(t, new TokenCheck(t.http().auth().tokens()))));
        this.writer = writer;
    }

    void put(Context ctx) {
        Table table = table(ctx);
        byte[] body = ctx.bodyAsBytes();
        if (body.length > MAX_VALUE_BYTES) {
            throw new IngestError(
                    ErrorCode.RECORD_TOO_LARGE, "a table row may hold at most " + MAX_VALUE_BYTES + " bytes");
        }
        try {
            if (body.length == 0 || JSON.readTree(body) == null) {
                throw new IngestError(ErrorCode.INVALID_JSON, "the body must be one JSON value (the row for this key)");
            }
        } catch (JsonProcessingException e) {
            throw new IngestError(ErrorCode.INVALID_JSON, "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IngestError(ErrorCode.INVALID_JSON, "the body could not be read: " + e.getMessage());
        }
        write(ctx, table, body, "put");
    }

    void delete(Context ctx) {
        write(ctx, table(ctx), null, "deleted");
    }

    private Table table(Context ctx) {
        Table table = tables.get(ctx.pathParam("table"));
        if (table == null) {
            throw new IngestError(
                    ErrorCode.UNKNOWN_TABLE,
                    "no lookup table '" + ctx.pathParam("table")
                            + "'; tables are declared under tables: in sluice.yaml");
        }
        table.tokens.require(ctx.header("Authorization"), ctx.queryParam("token"));
        return table;
    }

    private void write(Context ctx, Table table, byte[] value, String outcome) {
        String key = ctx.pathParam("key");
        String requestId = RequestIds.next();
        ctx.header(IngestHandler.REQUEST_ID_HEADER, requestId);
        ctx.future(() -> writer.write(table.config.topic(), key, value).handle((ok, error) -> {
            if (error == null) {
                ObjectNode body = Responses.object().put("success", true);
                body.putObject("result")
                        .put("table", table.config.name())
                        .put("key", key)
                        .put(outcome, true);
                Responses.send(ctx, 200, body);
            } else {
                log.warn(
                        "request {}: Kafka did not take the row {} of table {}: {}",
                        requestId,
                        key,
                        table.config.name(),
                        KafkaFailures.cause(error).toString());
                Responses.error(ctx, KafkaFailures.of(error, requestId));
            }
            return null;
        }));
    }
}
