package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;

/**
 * How long cached answers stay good.
 *
 * @param tagTtl how long a tag is served without asking the upstream again
 * @param staleIfError how long past its TTL a tag may still be served when every endpoint fails
 * @param notFoundTtl how long an upstream 404 is remembered
 */
public record CacheConfig(Duration tagTtl, Duration staleIfError, Duration notFoundTtl) {
  public static final CacheConfig DEFAULTS =
      new CacheConfig(Duration.ofMinutes(10), Duration.ofDays(7), Duration.ofSeconds(30));

  @JsonCreator
  public CacheConfig(
      @JsonProperty("tagTtl") Duration tagTtl,
      @JsonProperty("staleIfError") Duration staleIfError,
      @JsonProperty("notFoundTtl") Duration notFoundTtl) {
    this.tagTtl = tagTtl == null ? Duration.ofMinutes(10) : tagTtl;
    this.staleIfError = staleIfError == null ? Duration.ofDays(7) : staleIfError;
    this.notFoundTtl = notFoundTtl == null ? Duration.ofSeconds(30) : notFoundTtl;
  }
}
