package dev.sluice.sink;

import java.io.IOException;
import java.nio.file.Path;

/** Turns a closed batch's spool file (NDJSON lines) into the bytes of one object. */
interface ObjectEncoder {

    /** The file name extension, e.g. {@code .json.gz}. */
    String extension();

    String contentType();

    /**
     * Encodes the batch.
     *
     * @param spool    the batch's records, one JSON object per line
     * @param scratch  a file the encoder may write the object to
     * @param rejected where records the format cannot hold go, with the reason; they reach the
     *                 dead-letter topic in the same transaction that confirms the object
     * @return the object's file: {@code scratch}, or the spool itself when it needs no encoding
     */
    Path encode(Path spool, Path scratch, Rejects rejected) throws IOException;
}
