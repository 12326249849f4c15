package dev.sluice.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a request body into records: a JSON array of objects, or a single object. The body is
 * checked with a streaming parser and each record keeps its original bytes; no tree is built.
 * Any problem rejects the whole body, naming the first bad record.
 */
final class JsonRecords {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonRecords() {}

    static List<byte[]> split(byte[] body) {
        List<byte[]> records = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(body)) {
            JsonToken first = nextToken(parser, 0);
            if (first == null) {
                throw invalid("the body is empty; send a JSON object or an array of objects", -1);
            }
            if (first == JsonToken.START_OBJECT) {
                records.add(object(parser, body, 0));
            } else if (first == JsonToken.START_ARRAY) {
                for (JsonToken t = nextToken(parser, 0); t != JsonToken.END_ARRAY; t = nextToken(parser, records.size())) {
                    if (t != JsonToken.START_OBJECT) {
                        throw invalid("record " + records.size() + " is " + describe(t) + ", not a JSON object", records.size());
                    }
                    records.add(object(parser, body, records.size()));
                }
            } else {
                throw invalid("the body is " + describe(first) + "; send a JSON object or an array of objects", -1);
            }
            if (nextToken(parser, -1) != null) {
                throw invalid("unexpected data after the end of the JSON " + (first == JsonToken.START_ARRAY ? "array" : "object"), -1);
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] object(JsonParser parser, byte[] body, int index) throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        try {
            parser.skipChildren();
        } catch (JsonProcessingException e) {
            throw invalid("record " + index + " is not valid JSON: " + e.getOriginalMessage(), index);
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) {
            throw invalid("record " + index + " is not valid JSON: it ends early", index);
        }
        int end = (int) parser.currentLocation().getByteOffset();
        return Arrays.copyOfRange(body, start, end);
    }

    private static JsonToken nextToken(JsonParser parser, int index) throws IOException {
        try {
            return parser.nextToken();
        } catch (JsonProcessingException e) {
            String where = index >= 0 ? "record " + index + " is not valid JSON: " : "the body is not valid JSON: ";
            throw invalid(where + e.getOriginalMessage(), index);
        }
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "missing";
        }
        return switch (t) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.asString() == null ? t.name() : "'" + t.asString() + "'";
        };
    }

    private static IngestError invalid(String message, int index) {
        return new IngestError(400, "invalid_json", message, index);
    }
}
