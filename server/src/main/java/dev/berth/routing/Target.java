package dev.berth.routing;

import dev.berth.config.UpstreamConfig;
import dev.berth.oci.RepositoryName;
import java.util.Optional;

/**
 * The repository a request is about: the registry host it belongs to and the name there. A
 * local-only repository has no upstream and its registry is {@link #LOCAL}.
 */
public record Target(
    String registry, RepositoryName repository, Optional<UpstreamConfig> upstream) {
  /** The registry name used for local-only repositories. */
  public static final String LOCAL = "local";

  public boolean isLocal() {
    return upstream.isEmpty();
  }

  /**
   * The configuration of the upstream this repository belongs to; only for a target that is not
   * {@link #isLocal() local}.
   */
  public UpstreamConfig upstreamConfig() {
    return upstream.orElseThrow(
        () -> new IllegalStateException(this + " is a local repository: it has no upstream"));
  }

  /** Whether pushes here are acknowledged once journaled (an upstream in async forwarding). */
  public boolean forwardsAsync() {
    return upstream.map(UpstreamConfig::forwardsAsync).orElse(false);
  }

  @Override
  public String toString() {
    return registry + "/" + repository;
  }
}
