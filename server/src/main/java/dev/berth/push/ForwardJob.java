package dev.berth.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.UpstreamConfig.ForwardMode;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;

/**
 * One pushed manifest on its way to its upstream: what it is, where it goes and how far it got.
 * Immutable; each change of state is a new record, and asynchronous ones are journaled.
 *
 * @param id a UUID
 * @param registry the upstream host, e.g. {@code us-docker.pkg.dev}
 * @param repository the repository there
 * @param reference the tag or digest the manifest was pushed under
 * @param digest the manifest's digest
 * @param mediaType the manifest's media type
 * @param size the bytes of the manifest and of the blobs it names that Berth holds
 * @param mode sync (a client waits; not journaled) or async (journaled, retried)
 * @param state where it is
 * @param attempts attempts started so far
 * @param lastError the last attempt's failure, or null
 * @param acceptedAt when the push was accepted
 * @param deadline when an asynchronous forward stops being retried
 * @param nextAttemptAt when a pending forward is tried next, or null for at once
 * @param finishedAt when it was done or failed for good, or null
 */
record ForwardJob(
    String id,
    String registry,
    String repository,
    String reference,
    Digest digest,
    String mediaType,
    long size,
    ForwardMode mode,
    State state,
    int attempts,
    String lastError,
    Instant acceptedAt,
    Instant deadline,
    Instant nextAttemptAt,
    Instant finishedAt) {
  private static final ObjectMapper JSON = new ObjectMapper();

  enum State {
    PENDING,
    IN_FLIGHT,
    DONE,
    FAILED;

    String json() {
      return name().toLowerCase(Locale.ROOT).replace("_", "-");
    }

    static State ofJson(String text) {
      return valueOf(text.toUpperCase(Locale.ROOT).replace("-", "_"));
    }
  }

  /**
   * The upstream reference, e.g. {@code ghcr.io/org/app:1.2} or {@code ghcr.io/org/app@sha256:...}.
   */
  String ref() {
    return registry + "/" + repository + (reference.contains(":") ? "@" : ":") + reference;
  }

  boolean finished() {
    return state == State.DONE || state == State.FAILED;
  }

  /** This forward as it starts another attempt. */
  ForwardJob started() {
    return next(State.IN_FLIGHT, attempts + 1, lastError, null, null);
  }

  ForwardJob done(Instant now) {
    return next(State.DONE, attempts, null, null, now);
  }

  ForwardJob failed(String error, Instant now) {
    return next(State.FAILED, attempts, error, null, now);
  }

  ForwardJob retryAt(String error, Instant next) {
    return next(State.PENDING, attempts, error, next, null);
  }

  /** This forward as found in the journal after a restart: an attempt in flight did not finish. */
  ForwardJob recovered() {
    return state == State.IN_FLIGHT ? next(State.PENDING, attempts, lastError, null, null) : this;
  }

  private ForwardJob next(
      State newState, int newAttempts, String error, Instant nextAt, Instant finished) {
    return new ForwardJob(
        id,
        registry,
        repository,
        reference,
        digest,
        mediaType,
        size,
        mode,
        newState,
        newAttempts,
        error,
        acceptedAt,
        deadline,
        nextAt,
        finished);
  }

  ObjectNode toJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", id);
    n.put("ref", ref());
    n.put("upstream", registry);
    n.put("repository", repository);
    n.put("reference", reference);
    n.put("digest", digest.toString());
    n.put("mediaType", mediaType);
    n.put("size", size);
    n.put("mode", mode.toString());
    n.put("state", state.json());
    n.put("attempts", attempts);
    n.put("lastError", lastError);
    n.put("acceptedAt", acceptedAt.toString());
    n.put("deadline", deadline.toString());
    n.put("nextAttemptAt", nextAttemptAt == null ? null : nextAttemptAt.toString());
    n.put("finishedAt", finishedAt == null ? null : finishedAt.toString());
    return n;
  }

  byte[] toBytes() {
    try {
      return JSON.writeValueAsBytes(toJson());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static ForwardJob parse(byte[] bytes) throws IOException {
    JsonNode n = JSON.readTree(bytes);
    try {
      return new ForwardJob(
          n.path("id").asText(),
          n.path("upstream").asText(),
          n.path("repository").asText(),
          n.path("reference").asText(),
          Digest.of(n.path("digest").asText()),
          n.path("mediaType").asText(),
          n.path("size").asLong(),
          ForwardMode.valueOf(n.path("mode").asText("async").toUpperCase(Locale.ROOT)),
          State.ofJson(n.path("state").asText()),
          n.path("attempts").asInt(),
          n.path("lastError").isTextual() ? n.path("lastError").asText() : null,
          Instant.parse(n.path("acceptedAt").asText()),
          Instant.parse(n.path("deadline").asText()),
          instant(n.path("nextAttemptAt")),
          instant(n.path("finishedAt")));
    } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
      throw new IOException("not a forwarding record: " + e.getMessage(), e);
    }
  }

  private static Instant instant(JsonNode n) {
    return n.isTextual() ? Instant.parse(n.asText()) : null;
  }
}
