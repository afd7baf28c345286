package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How long cached answers stay good.
 *
 * @param tagTtl how long a tag is served without asking the upstream again
 * @param staleIfError how long past its TTL a tag may still be served when every endpoint fails
 * @param notFoundTtl how long an upstream 404 is remembered
 * @param siblingPlatforms when a client pulls one image of an index, the platforms whose images are
 *     then fetched in the background; empty turns this off
 */
public record CacheConfig(
    Duration tagTtl, Duration staleIfError, Duration notFoundTtl, List<String> siblingPlatforms) {
  public static final List<String> DEFAULT_SIBLING_PLATFORMS =
      List.of("linux/amd64", "linux/arm64");
  public static final CacheConfig DEFAULTS =
      new CacheConfig(
          Duration.ofMinutes(10),
          Duration.ofDays(7),
          Duration.ofSeconds(30),
          DEFAULT_SIBLING_PLATFORMS);

  @JsonCreator
  public CacheConfig(
      @JsonProperty("tagTtl") @Nullable Duration tagTtl,
      @JsonProperty("staleIfError") @Nullable Duration staleIfError,
      @JsonProperty("notFoundTtl") @Nullable Duration notFoundTtl,
      @JsonProperty("siblingPlatforms") @Nullable List<String> siblingPlatforms) {
    this.tagTtl = tagTtl == null ? Duration.ofMinutes(10) : tagTtl;
    this.staleIfError = staleIfError == null ? Duration.ofDays(7) : staleIfError;
    this.notFoundTtl = notFoundTtl == null ? Duration.ofSeconds(30) : notFoundTtl;
    this.siblingPlatforms =
        siblingPlatforms == null ? DEFAULT_SIBLING_PLATFORMS : List.copyOf(siblingPlatforms);
    for (String p : this.siblingPlatforms) {
      if (!p.matches("[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?")) {
        throw new InvalidValueException(
            "siblingPlatforms: not a platform: \"" + p + "\" (expected os/arch[/variant])");
      }
    }
  }
}
