package dev.sluice.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a request body into records: a JSON array of objects or a single object ({@link BodyFormat#JSON}),
 * or newline-delimited objects ({@link BodyFormat#NDJSON}). The body is checked with a streaming parser
 * and each record keeps its original bytes; no tree is built. Any problem rejects the whole body, naming
 * the first bad record: broken JSON, a non-object, a duplicate key, nesting deeper than
 * {@value #MAX_NESTING}, invalid UTF-8 (400), or a record over the size limit (413).
 */
final class JsonRecords {
    static final int MAX_NESTING = 64;
    /** Duplicate keys are found by {@link DuplicateKeys}, not by the parser: see there why. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build();

    private JsonRecords() {}

    static List<byte[]> split(byte[] body, BodyFormat format, long maxRecordBytes) {
        List<byte[]> records = new ArrayList<>();
        DuplicateKeys keys = new DuplicateKeys();
        try (JsonParser parser = JSON.createParser(body)) {
            JsonToken first = nextToken(parser, 0);
            if (first == null) {
                throw invalid("the body is empty; send a JSON object or an array of objects", -1);
            }
            if (format == BodyFormat.NDJSON) {
                for (JsonToken t = first; t != null; t = nextToken(parser, records.size())) {
                    if (t != JsonToken.START_OBJECT) {
                        throw invalid(
                                "record " + records.size() + " is " + describe(t) + ", not a JSON object",
                                records.size());
                    }
                    records.add(object(parser, keys, body, records.size(), maxRecordBytes));
                }
                return records;
            }
            if (first == JsonToken.START_OBJECT) {
                records.add(object(parser, keys, body, 0, maxRecordBytes));
            } else if (first == JsonToken.START_ARRAY) {
                for (JsonToken t = nextToken(parser, 0);
                        t != JsonToken.END_ARRAY;
                        t = nextToken(parser, records.size())) {
                    if (t != JsonToken.START_OBJECT) {
                        throw invalid(
                                "record " + records.size() + " is " + describe(t) + ", not a JSON object",
                                records.size());
                    }
                    records.add(object(parser, keys, body, records.size(), maxRecordBytes));
                }
            } else {
                throw invalid("the body is " + describe(first) + "; send a JSON object or an array of objects", -1);
            }
            if (nextToken(parser, -1) != null) {
                throw invalid(
                        "unexpected data after the end of the JSON "
                                + (first == JsonToken.START_ARRAY ? "array" : "object")
                                + (first == JsonToken.START_OBJECT
                                        ? "; for one object per line send Content-Type: application/x-ndjson"
                                        : ""),
                        -1);
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] object(JsonParser parser, DuplicateKeys keys, byte[] body, int index, long maxRecordBytes)
            throws IOException {
        int start = (int) parser.currentTokenLocation().getByteOffset();
        check(parser, keys, index);
        int end = (int) parser.currentLocation().getByteOffset();
        if (end - start > maxRecordBytes) {
            throw new IngestError(
                    ErrorCode.RECORD_TOO_LARGE,
                    "record " + index + " is " + (end - start) + " bytes; the limit is " + maxRecordBytes,
                    index);
        }
        requireUtf8(body, start, end, index);
        return Arrays.copyOfRange(body, start, end);
    }

    /** Reads the object the parser is at to its end, refusing a key repeated within any object in it. */
    private static void check(JsonParser parser, DuplicateKeys keys, int index) throws IOException {
        keys.openObject();
        for (int open = 1; open > 0; ) {
            JsonToken t = nextToken(parser, index);
            if (t == null) {
                throw invalid("record " + index + " is not valid JSON: it ends early", index);
            }
            switch (t) {
                case START_OBJECT -> {
                    keys.openObject();
                    open++;
                }
                case END_OBJECT -> {
                    keys.closeObject();
                    open--;
                }
                case START_ARRAY -> open++;
                case END_ARRAY -> open--;
                case FIELD_NAME -> {
                    if (!keys.add(parser.currentName())) {
                        throw invalid(
                                "record " + index + " is not valid JSON: duplicate key '"
                                        + shortened(parser.currentName()) + "'",
                                index);
                    }
                }
                default -> {}
            }
        }
    }

    private static String shortened(String key) {
        return key.length() <= 64 ? key : key.substring(0, 64) + "…";
    }

    /** The parser skips string contents unread, so their bytes are checked here; ASCII needs no decoding. */
    private static void requireUtf8(byte[] body, int start, int end, int index) {
        for (int i = start; i < end; i++) {
            if (body[i] < 0) {
                try {
                    StandardCharsets.UTF_8
                            .newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(body, start, end - start));
                } catch (CharacterCodingException e) {
                    throw invalid("record " + index + " is not valid UTF-8", index);
                }
                return;
            }
        }
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
        return new IngestError(ErrorCode.INVALID_JSON, message, index);
    }
}
