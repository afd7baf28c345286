package dev.berth.push;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Every forward Berth knows, as {@code GET /_berth/v1/forwarding} answers and {@code berth await}
 * reads it: by state, each oldest first.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ForwardStatus(
    List<Entry> pending, List<Entry> inFlight, List<Entry> done, List<Entry> failed) {

  /**
   * One forward in its JSON form, which is also its journal record ({@code forwarding/<id>.json}).
   * Times are ISO-8601 instants; absent ones are null.
   *
   * @param ref the upstream reference, e.g. {@code ghcr.io/org/app:1.2} (written, not read back)
   * @param upstream the upstream host
   * @param state {@code pending}, {@code in-flight}, {@code done} or {@code failed}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Entry(
      String id,
      String ref,
      String upstream,
      String repository,
      String reference,
      String digest,
      String mediaType,
      long size,
      String mode,
      String state,
      int attempts,
      @Nullable String lastError,
      String acceptedAt,
      String deadline,
      @Nullable String nextAttemptAt,
      @Nullable String finishedAt) {}
}
