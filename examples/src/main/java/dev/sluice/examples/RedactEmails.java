package dev.sluice.examples;

import dev.sluice.transforms.Emitter;
import dev.sluice.transforms.Record;
import dev.sluice.transforms.Transform;
import dev.sluice.transforms.TransformContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Replaces personal fields with a salted SHA-256 of their (trimmed, lower-cased) value: records stay
 * joinable on the field without carrying the address itself.
 *
 * <pre>{@code
 * - label: redact
 *   class: dev.sluice.examples.RedactEmails
 *   config: { fields: [email, customer.email], salt: "${REDACT_SALT}" }
 * }</pre>
 */
public final class RedactEmails implements Transform {
    private List<String> fields = List.of("email");
    private byte[] salt = new byte[0];
    private MessageDigest sha256;

    @Override
    public void open(TransformContext context) throws NoSuchAlgorithmException {
        fields = context.configStrings("fields", fields);
        salt = context.configString("salt", "").getBytes(StandardCharsets.UTF_8);
        sha256 = MessageDigest.getInstance("SHA-256");
    }

    @Override
    public void apply(Record record, Emitter out) {
        for (String field : fields) {
            String value = record.getString(field);
            if (value != null) {
                sha256.update(salt);
                byte[] digest =
                        sha256.digest(value.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
                record.set(field, "sha256:" + HexFormat.of().formatHex(digest));
            }
        }
        out.emit(record);
    }
}
