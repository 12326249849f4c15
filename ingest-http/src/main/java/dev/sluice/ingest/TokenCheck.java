package dev.sluice.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The bearer tokens of a pipeline or a lookup table. Only SHA-256 digests are kept, and a presented token is compared
 * with every digest in constant time, so neither memory nor timing gives a token away.
 */
public final class TokenCheck {
    private final List<byte[]> digests;

    public TokenCheck(List<String> tokens) {
        this.digests = tokens.stream().map(TokenCheck::sha256).toList();
    }

    public boolean isOpen() {
        return digests.isEmpty();
    }

    boolean accepts(String presented) {
        byte[] digest = sha256(presented);
        boolean match = false;
        for (byte[] known : digests) {
            match |= MessageDigest.isEqual(known, digest);
        }
        return match;
    }

    /**
     * 401 when no token was presented, 403 when a wrong one was. The token comes from
     * {@code Authorization: Bearer …} or, for browsers' WebSocket API, a {@code token} query parameter.
     */
    public void require(String authorizationHeader, String tokenParameter) {
        if (isOpen()) {
            return;
        }
        String presented = null;
        if (authorizationHeader != null && authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorizationHeader.substring(7).trim();
        } else if (tokenParameter != null) {
            presented = tokenParameter;
        }
        if (presented == null || presented.isEmpty()) {
            throw new IngestError(
                    ErrorCode.UNAUTHORIZED, "this endpoint needs a token: send Authorization: Bearer <token>");
        }
        if (!accepts(presented)) {
            throw new IngestError(ErrorCode.FORBIDDEN, "the token is not valid for this endpoint");
        }
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
