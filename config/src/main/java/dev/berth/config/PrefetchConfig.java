package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What {@code berth serve} pre-pulls on its own, at start and then on a schedule.
 *
 * @param images references, each optionally followed by platforms ({@code alpine:3.20 linux/arm64})
 * @param files list files, as {@code berth prefetch --file} reads them
 * @param dockerfiles Dockerfiles whose base images to pre-pull
 * @param buildArgs values for the Dockerfiles' {@code ARG} lines
 * @param platforms platforms for images that name none; empty for every platform
 * @param interval how often the images are refreshed; their tags are checked with a {@code HEAD}
 * @param reservePulls pulls of an upstream's rate limit (Docker Hub's) that prefetch leaves to
 *     builds: with no more left, images not yet held wait for the next run
 */
public record PrefetchConfig(
    List<String> images,
    List<Path> files,
    List<Path> dockerfiles,
    Map<String, String> buildArgs,
    List<String> platforms,
    Duration interval,
    int reservePulls) {
  public static final Duration DEFAULT_INTERVAL = Duration.ofHours(6);
  public static final int DEFAULT_RESERVE_PULLS = 10;
  public static final PrefetchConfig NONE =
      new PrefetchConfig(null, null, null, null, null, null, DEFAULT_RESERVE_PULLS);

  @JsonCreator
  static PrefetchConfig fromJson(
      @JsonProperty("images") @Nullable List<String> images,
      @JsonProperty("files") @Nullable List<Path> files,
      @JsonProperty("dockerfiles") @Nullable List<Path> dockerfiles,
      @JsonProperty("buildArgs") @Nullable Map<String, String> buildArgs,
      @JsonProperty("platforms") @Nullable List<String> platforms,
      @JsonProperty("interval") @Nullable Duration interval,
      @JsonProperty("reservePulls") @Nullable Integer reservePulls) {
    return new PrefetchConfig(
        images,
        files,
        dockerfiles,
        buildArgs,
        platforms,
        interval,
        reservePulls == null ? DEFAULT_RESERVE_PULLS : reservePulls);
  }

  public PrefetchConfig(
      @Nullable List<String> images,
      @Nullable List<Path> files,
      @Nullable List<Path> dockerfiles,
      @Nullable Map<String, String> buildArgs,
      @Nullable List<String> platforms,
      @Nullable Duration interval,
      int reservePulls) {
    this.reservePulls = reservePulls;
    if (reservePulls < 0) {
      throw new InvalidValueException("reservePulls must not be negative: " + reservePulls);
    }
    this.images = images == null ? List.of() : List.copyOf(images);
    this.files = files == null ? List.of() : List.copyOf(files);
    this.dockerfiles = dockerfiles == null ? List.of() : List.copyOf(dockerfiles);
    this.buildArgs = buildArgs == null ? Map.of() : Map.copyOf(buildArgs);
    this.platforms = platforms == null ? List.of() : List.copyOf(platforms);
    this.interval = interval == null ? DEFAULT_INTERVAL : interval;
    if (this.interval.isNegative() || this.interval.isZero()) {
      throw new InvalidValueException("interval must be positive: " + interval);
    }
    for (String p : this.platforms) {
      if (!p.matches("[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?")) {
        throw new InvalidValueException(
            "platforms: not a platform: \"" + p + "\" (expected os/arch[/variant])");
      }
    }
  }

  /** Whether anything is to be pre-pulled. */
  public boolean isEmpty() {
    return images.isEmpty() && files.isEmpty() && dockerfiles.isEmpty();
  }
}
