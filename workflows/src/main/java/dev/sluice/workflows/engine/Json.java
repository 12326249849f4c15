package dev.sluice.workflows.engine;

import dev.sluice.workflows.internal.StepValues;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The engine's records and store values as JSON bytes, with the one mapper step results use. */
final class Json {
    private Json() {}

    static byte[] write(Object value) {
        try {
            return StepValues.JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return StepValues.JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
