package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One upstream registry: its name (a host or a host pattern), the endpoints tried in order, and how
 * Berth treats it. A pattern's endpoint is the matched host itself.
 *
 * @param name the registry host or host pattern, e.g. {@code ghcr.io} or {@code *.gcr.io}
 * @param endpoints base URLs tried in order; empty means {@code https://<host>}
 * @param tagTtl how long a tag is served without revalidation; null means {@code cache.tagTtl}
 * @param connectTimeout how long a TCP or TLS connection may take
 * @param idleTimeout how long a request may see no bytes move before it is abandoned
 * @param maxAttempts attempts per endpoint for 429, 5xx and connection errors
 * @param push whether pushes to this upstream are accepted
 * @param credentials where the credentials for this upstream come from
 * @param forwarding when a pushed manifest is acknowledged: once the upstream has it ({@code sync})
 *     or once it is on Berth's disk and journaled for forwarding ({@code async})
 */
public record UpstreamConfig(
    HostPattern name,
    List<Endpoint> endpoints,
    @Nullable Duration tagTtl,
    Duration connectTimeout,
    Duration idleTimeout,
    int maxAttempts,
    boolean push,
    CredentialsConfig credentials,
    ForwardMode forwarding,
    boolean offline,
    UpstreamTlsConfig tls,
    Duration firstByteTimeout) {

  /** When a pushed manifest is acknowledged to the client. */
  public enum ForwardMode {
    /** Once the upstream has accepted it; upstream errors reach the client. */
    SYNC,
    /** Once it is on disk with a journal entry; workers forward it with retries. */
    ASYNC;

    @JsonCreator
    static ForwardMode parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidValueException(
            "unknown forwarding mode \"" + text + "\" (expected: sync or async)");
      }
    }

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_FIRST_BYTE_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_ATTEMPTS = 3;

  /** A value left out (null) takes its default; {@code name} is required. */
  public UpstreamConfig(
      @Nullable HostPattern name,
      @Nullable List<Endpoint> endpoints,
      @Nullable Duration tagTtl,
      @Nullable Duration connectTimeout,
      @Nullable Duration idleTimeout,
      int maxAttempts,
      boolean push,
      @Nullable CredentialsConfig credentials,
      @Nullable ForwardMode forwarding,
      boolean offline,
      @Nullable UpstreamTlsConfig tls,
      @Nullable Duration firstByteTimeout) {
    if (name == null) {
      throw new InvalidValueException("name is required (expected: a registry host or pattern)");
    }
    this.name = name;
    this.endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    if (name.isPattern() && !this.endpoints.isEmpty()) {
      throw new InvalidValueException(
          "a host pattern takes no endpoints: its endpoint is the matched host");
    }
    this.tagTtl = tagTtl;
    this.connectTimeout = connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
    this.idleTimeout = idleTimeout == null ? DEFAULT_IDLE_TIMEOUT : idleTimeout;
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new InvalidValueException("maxAttempts: " + maxAttempts + " (expected: 1-10)");
    }
    this.maxAttempts = maxAttempts;
    this.push = push;
    this.credentials = credentials == null ? CredentialsConfig.AUTO : credentials;
    this.forwarding = forwarding == null ? ForwardMode.SYNC : forwarding;
    this.offline = offline;
    this.tls = tls == null ? UpstreamTlsConfig.DEFAULTS : tls;
    this.firstByteTimeout =
        firstByteTimeout == null ? DEFAULT_FIRST_BYTE_TIMEOUT : firstByteTimeout;
    if (this.firstByteTimeout.isNegative() || this.firstByteTimeout.isZero()) {
      throw new InvalidValueException(
          "firstByteTimeout must be positive: " + this.firstByteTimeout);
    }
  }

  @JsonCreator
  static UpstreamConfig fromJson(
      @JsonProperty("name") @Nullable HostPattern name,
      @JsonProperty("endpoints") @Nullable List<Endpoint> endpoints,
      @JsonProperty("tagTtl") @Nullable Duration tagTtl,
      @JsonProperty("connectTimeout") @Nullable Duration connectTimeout,
      @JsonProperty("idleTimeout") @Nullable Duration idleTimeout,
      @JsonProperty("maxAttempts") @Nullable Integer maxAttempts,
      @JsonProperty("push") @Nullable Boolean push,
      @JsonProperty("credentials") @Nullable CredentialsConfig credentials,
      @JsonProperty("forwarding") @Nullable ForwardMode forwarding,
      @JsonProperty("offline") @Nullable Boolean offline,
      @JsonProperty("tls") @Nullable UpstreamTlsConfig tls,
      @JsonProperty("firstByteTimeout") @Nullable Duration firstByteTimeout) {
    return new UpstreamConfig(
        name,
        endpoints,
        tagTtl,
        connectTimeout,
        idleTimeout,
        maxAttempts == null ? DEFAULT_MAX_ATTEMPTS : maxAttempts,
        push != null && push,
        credentials,
        forwarding,
        offline != null && offline,
        tls,
        firstByteTimeout);
  }

  /**
   * Whether pushes here are acknowledged once journaled: such a push depends on Berth alone, so
   * what it asks before uploading is answered from Berth's own records.
   */
  public boolean forwardsAsync() {
    return push && forwarding == ForwardMode.ASYNC;
  }

  /** An upstream with the default settings and the given endpoints. */
  public static UpstreamConfig of(String name, String... endpoints) {
    return new UpstreamConfig(
        HostPattern.of(name),
        java.util.Arrays.stream(endpoints).map(Endpoint::of).toList(),
        null,
        null,
        null,
        DEFAULT_MAX_ATTEMPTS,
        false,
        null,
        null,
        false,
        null,
        null);
  }

  /** The endpoints to try for {@code host}, which this upstream's name matches. */
  public List<Endpoint> endpointsFor(String host) {
    return endpoints.isEmpty() ? List.of(Endpoint.https(host)) : endpoints;
  }

  /** This upstream with {@code endpoints} in place of its own. */
  public UpstreamConfig withEndpoints(List<Endpoint> newEndpoints) {
    return new UpstreamConfig(
        name,
        newEndpoints,
        tagTtl,
        connectTimeout,
        idleTimeout,
        maxAttempts,
        push,
        credentials,
        forwarding,
        offline,
        tls,
        firstByteTimeout);
  }

  /** This upstream with {@code newCredentials} in place of its own. */
  public UpstreamConfig withCredentials(CredentialsConfig newCredentials) {
    return new UpstreamConfig(
        name,
        endpoints,
        tagTtl,
        connectTimeout,
        idleTimeout,
        maxAttempts,
        push,
        newCredentials,
        forwarding,
        offline,
        tls,
        firstByteTimeout);
  }
}
