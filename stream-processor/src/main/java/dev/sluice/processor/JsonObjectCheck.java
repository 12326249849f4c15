package dev.sluice.processor;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Whether a record value is exactly one JSON object, checked by streaming over it without
 * building a tree: the cheap path for pipelines without transforms or schema.
 */
final class JsonObjectCheck {
    private static final JsonFactory JSON = new JsonFactory();

    private JsonObjectCheck() {}

    /** Null when the value is one JSON object; otherwise what is wrong with it. */
    static String problem(byte[] value) {
        if (value == null) {
            return "the value is not a JSON object (it is null)";
        }
        try (JsonParser parser = JSON.createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return "the value is not a JSON object";
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                return "the value has data after its JSON object";
            }
            return null;
        } catch (JsonProcessingException e) {
            return "the value is not valid JSON: " + e.getOriginalMessage();
        } catch (IOException e) {
            return "the value cannot be read: " + e.getMessage();
        }
    }
}
