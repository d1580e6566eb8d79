/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import reactor.core.publisher.Mono;

/**
 * Signed tokens: {@code v1.KEYID.GENERATION.TOKENID.ISSUEDMILLIS.SUBJECT.SIGNATURE}, where
 * SUBJECT is base64url and SIGNATURE is the base64url HMAC-SHA256, under the key KEYID, of
 * everything before it.
 *
 * <p>Policy: a token verifies only under the key of the current generation. Every key is
 * dropped when the generation changes, because a restored snapshot (and every clone made from
 * it) holds that key too: after a restore, a token signed under it can no longer prove which
 * instance issued it. Clients re-issue their tokens after a restore; verification says
 * {@code KEY_RETIRED} for tokens of the last few generations so that they can tell that case.
 */
public final class TokenService {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final KeyRing keys;

    public TokenService(KeyRing keys) {
        this.keys = keys;
    }

    /** Signs a new token for {@code subject} in the current epoch. */
    public Mono<IssuedToken> issue(String subject) {
        return keys.current().flatMap(e -> {
            String tokenId = e.nextId();
            long now = System.currentTimeMillis();
            String payload = String.join(".", "v1", e.keyId(), Integer.toUnsignedString(e.generation()), tokenId,
                    Long.toString(now), B64.encodeToString(subject.getBytes(StandardCharsets.UTF_8)));
            String token = payload + "." + B64.encodeToString(e.sign(payload));
            if (keys.device().currentGeneration() != e.generation()) {
                return issue(subject); // restored in between: sign again under the new key
            }
            return Mono.just(new IssuedToken(token, tokenId, e.keyId(), e.generationValue(), subject,
                    Instant.ofEpochMilli(now).toString()));
        });
    }

    /** Checks {@code token} against the current epoch's key. */
    public Mono<Verification> verify(String token) {
        return keys.current().map(e -> verify(e, token));
    }

    private Verification verify(Epoch e, String token) {
        String[] parts = token == null ? new String[0] : token.split("\\.", -1);
        if (parts.length != 7 || !parts[0].equals("v1")) {
            return Verification.invalid(Verification.Reason.MALFORMED, null, null,
                    "not a v1 token of this service");
        }
        String keyId = parts[1];
        Long generation = parseUnsigned(parts[2]);
        if (generation == null) {
            return Verification.invalid(Verification.Reason.MALFORMED, keyId, null, "bad generation field");
        }
        if (!keyId.equals(e.keyId())) {
            Optional<Integer> retiredAt = keys.retiredGeneration(keyId);
            if (retiredAt.isPresent()) {
                return Verification.invalid(Verification.Reason.KEY_RETIRED, keyId, generation,
                        "signed under key " + keyId + " of generation " + Integer.toUnsignedString(retiredAt.get())
                                + "; keys are retired when the generation changes (a restore): request a new token");
            }
            return Verification.invalid(Verification.Reason.UNKNOWN_KEY, keyId, generation,
                    "not signed by a key of this instance");
        }
        String payload = token.substring(0, token.lastIndexOf('.'));
        byte[] given;
        try {
            given = B64D.decode(parts[6]);
        } catch (IllegalArgumentException ex) {
            return Verification.invalid(Verification.Reason.MALFORMED, keyId, generation, "bad signature encoding");
        }
        if (!MessageDigest.isEqual(given, e.sign(payload)) || generation != e.generationValue()) {
            return Verification.invalid(Verification.Reason.BAD_SIGNATURE, keyId, generation,
                    "signature does not match");
        }
        String subject;
        long issued;
        try {
            subject = new String(B64D.decode(parts[5]), StandardCharsets.UTF_8);
            issued = Long.parseLong(parts[4]);
        } catch (IllegalArgumentException ex) {
            return Verification.invalid(Verification.Reason.MALFORMED, keyId, generation, "bad field encoding");
        }
        return new Verification(true, Verification.Reason.VALID, keyId, generation, parts[3], subject,
                Instant.ofEpochMilli(issued).toString(), "signed under the current key");
    }

    private static Long parseUnsigned(String s) {
        try {
            return Integer.toUnsignedLong(Integer.parseUnsignedInt(s));
        } catch (NumberFormatException ex) {
            return null;
        }
    }

    /** A token as {@code POST /tokens} returns it. */
    public record IssuedToken(String token, String tokenId, String keyId, long generation, String subject,
            String issuedAt) {
    }

    /** The answer of {@code GET /tokens/verify}. */
    public record Verification(boolean valid, Reason reason, String keyId, Long generation, String tokenId,
            String subject, String issuedAt, String detail) {

        /** Why a token is valid or not. */
        public enum Reason {
            VALID, MALFORMED, BAD_SIGNATURE, KEY_RETIRED, UNKNOWN_KEY
        }

        static Verification invalid(Reason reason, String keyId, Long generation, String detail) {
            return new Verification(false, reason, keyId, generation, null, null, null, detail);
        }
    }
}
