package dev.berth.pull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.upstream.UpstreamFailure;
import java.time.Duration;
import java.util.Optional;

/**
 * Upstream answers that something does not exist, remembered for {@code cache.notFoundTtl} so that
 * repeated requests fail fast without asking again. Only failures of one "unknown" kind are kept;
 * anything temporary is asked again next time. Thread-safe.
 */
final class NotFoundCache {
  private final OciError kind;
  private final Cache<String, RegistryException> answers;

  NotFoundCache(Duration ttl, OciError kind) {
    this.kind = kind;
    this.answers = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(100_000).build();
  }

  /** The remembered failure for {@code key}, if any. */
  Optional<RegistryException> get(String key) {
    return Optional.ofNullable(answers.getIfPresent(key));
  }

  /** Remembers {@code failure} under {@code key} when it says the thing is unknown upstream. */
  void rememberIfNotFound(String key, Throwable failure) {
    if (UpstreamFailure.unwrap(failure) instanceof RegistryException r && r.error() == kind) {
      answers.put(key, r);
    }
  }
}
