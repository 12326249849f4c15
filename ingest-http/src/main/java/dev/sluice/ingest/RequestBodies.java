package dev.sluice.ingest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** Undoes {@code Content-Encoding} and enforces the size limit on what it yields. */
final class RequestBodies {
    private RequestBodies() {}

    static byte[] decode(byte[] raw, String contentEncoding, long maxBytes) {
        String encoding =
                contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        byte[] body = switch (encoding) {
            case "", "identity" -> raw;
            case "gzip", "x-gzip" -> gunzip(raw, maxBytes);
            default ->
                throw new IngestError(
                        ErrorCode.UNSUPPORTED_ENCODING,
                        "Content-Encoding '" + encoding + "' is not accepted; send gzip or no encoding");
        };
        if (body.length > maxBytes) {
            throw tooLarge(maxBytes);
        }
        return body;
    }

    /** Stops reading one byte past the limit, so a small gzip bomb cannot expand in memory. */
    private static byte[] gunzip(byte[] raw, long maxBytes) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 64 * 1024)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(1024, raw.length * 4));
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw tooLarge(maxBytes);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IngestError(ErrorCode.INVALID_GZIP, "the body is not valid gzip: " + e.getMessage());
        }
    }

    static IngestError tooLarge(long maxBytes) {
        return new IngestError(
                ErrorCode.REQUEST_TOO_LARGE,
                "the request body is larger than " + maxBytes
                        + " bytes (after decompression); split it into smaller requests");
    }
}
