package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How pushed content is forwarded to upstreams.
 *
 * @param deadline how long an asynchronous forward is retried before it is given up as failed
 * @param workers how many asynchronous forwards run at once
 * @param parallelUploads how many blob uploads to upstreams stream at once, over all forwards
 * @param retention how long finished and failed forwards stay listed
 */
public record ForwardingConfig(
    Duration deadline, int workers, int parallelUploads, Duration retention) {
  public static final int DEFAULT_WORKERS = 4;
  public static final int DEFAULT_PARALLEL_UPLOADS = 4;
  public static final ForwardingConfig DEFAULTS =
      new ForwardingConfig(null, DEFAULT_WORKERS, DEFAULT_PARALLEL_UPLOADS, null);

  /** A duration left out (null) takes its default. */
  public ForwardingConfig(
      @Nullable Duration deadline, int workers, int parallelUploads, @Nullable Duration retention) {
    this.deadline = deadline == null ? Duration.ofHours(24) : deadline;
    this.workers = workers;
    this.parallelUploads = parallelUploads;
    this.retention = retention == null ? Duration.ofHours(24) : retention;
    if (this.deadline.isNegative() || this.deadline.isZero()) {
      throw new InvalidValueException("deadline must be positive: " + this.deadline);
    }
    if (this.retention.isNegative()) {
      throw new InvalidValueException("retention must not be negative: " + this.retention);
    }
    if (workers < 1 || workers > 64) {
      throw new InvalidValueException("workers: " + workers + " (expected: 1-64)");
    }
    if (parallelUploads < 1 || parallelUploads > 64) {
      throw new InvalidValueException("parallelUploads: " + parallelUploads + " (expected: 1-64)");
    }
  }

  @JsonCreator
  static ForwardingConfig fromJson(
      @JsonProperty("deadline") @Nullable Duration deadline,
      @JsonProperty("workers") @Nullable Integer workers,
      @JsonProperty("parallelUploads") @Nullable Integer parallelUploads,
      @JsonProperty("retention") @Nullable Duration retention) {
    return new ForwardingConfig(
        deadline,
        workers == null ? DEFAULT_WORKERS : workers,
        parallelUploads == null ? DEFAULT_PARALLEL_UPLOADS : parallelUploads,
        retention);
  }
}
