package dev.berth.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.UpstreamConfig.ForwardMode;
import dev.berth.oci.Digest;
import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

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
    @Nullable String lastError,
    Instant acceptedAt,
    Instant deadline,
    @Nullable Instant nextAttemptAt,
    @Nullable Instant finishedAt) {
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
      State newState,
      int newAttempts,
      @Nullable String error,
      @Nullable Instant nextAt,
      @Nullable Instant finished) {
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

  /** This forward in its JSON form: the journal record and the status entry. */
  ForwardStatus.Entry toEntry() {
    return new ForwardStatus.Entry(
        id,
        ref(),
        registry,
        repository,
        reference,
        digest.toString(),
        mediaType,
        size,
        mode.toString(),
        state.json(),
        attempts,
        lastError,
        acceptedAt.toString(),
        deadline.toString(),
        nextAttemptAt == null ? null : nextAttemptAt.toString(),
        finishedAt == null ? null : finishedAt.toString());
  }

  byte[] toBytes() {
    try {
      return JSON.writeValueAsBytes(toEntry());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static ForwardJob parse(byte[] bytes) throws IOException {
    ForwardStatus.Entry e = JSON.readValue(bytes, ForwardStatus.Entry.class);
    try {
      return new ForwardJob(
          e.id(),
          e.upstream(),
          e.repository(),
          e.reference(),
          Digest.of(String.valueOf(e.digest())),
          e.mediaType(),
          e.size(),
          ForwardMode.valueOf((e.mode() == null ? "async" : e.mode()).toUpperCase(Locale.ROOT)),
          State.ofJson(String.valueOf(e.state())),
          e.attempts(),
          e.lastError(),
          Instant.parse(String.valueOf(e.acceptedAt())),
          Instant.parse(String.valueOf(e.deadline())),
          instant(e.nextAttemptAt()),
          instant(e.finishedAt()));
    } catch (IllegalArgumentException | java.time.format.DateTimeParseException x) {
      throw new IOException("not a forwarding record: " + x.getMessage(), x);
    }
  }

  private static @Nullable Instant instant(@Nullable String text) {
    return text == null ? null : Instant.parse(text);
  }
}
