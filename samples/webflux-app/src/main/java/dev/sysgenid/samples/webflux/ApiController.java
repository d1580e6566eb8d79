/*
 * Copyright 2026 the sysgenid-java authors. Licensed under the Apache License, Version 2.0.
 */
package dev.sysgenid.samples.webflux;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The service's API: request IDs, signed tokens and the stream of generations. */
@RestController
class ApiController {

    private final KeyRing keys;
    private final TokenService tokens;

    ApiController(KeyRing keys, TokenService tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    /** A new unique request ID. */
    @RequestMapping(path = "/ids", method = {org.springframework.web.bind.annotation.RequestMethod.GET,
            org.springframework.web.bind.annotation.RequestMethod.POST})
    Mono<KeyRing.IssuedId> id() {
        return keys.issueId();
    }

    /** A new token for {@code subject}, signed under the current generation's key. */
    @PostMapping("/tokens")
    Mono<TokenService.IssuedToken> token(@RequestParam(name = "subject", defaultValue = "anonymous") String subject) {
        return tokens.issue(subject);
    }

    /** 200 with {@code valid: true} for a token signed under the current key, else 401 and the reason. */
    @GetMapping("/tokens/verify")
    Mono<ResponseEntity<TokenService.Verification>> verify(@RequestParam(name = "token") String token) {
        return tokens.verify(token).map(v -> ResponseEntity.status(v.valid() ? HttpStatus.OK : HttpStatus.UNAUTHORIZED)
                .body(v));
    }

    /**
     * The generations this service works in, as server-sent events: first the current one, then
     * one event per change, sent once the key has been rotated for it. All clients share the
     * service's one subscription (no file descriptor per client).
     */
    @GetMapping(path = "/generations", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<GenerationEvent>> generations() {
        return keys.events().map(e -> ServerSentEvent.builder(e)
                .id(Long.toString(e.generation()))
                .event("generation")
                .build());
    }
}
