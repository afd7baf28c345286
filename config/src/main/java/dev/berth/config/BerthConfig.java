package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The whole configuration of a Berth server. Immutable; every absent key takes the default that
 * {@code docs/configuration.md} gives.
 *
 * @param listen the address the registry API listens on
 * @param dataDir the directory that holds the cache and uploads
 * @param tls the server certificate and key; null serves plain HTTP (and h2c)
 * @param storage the local store's limits
 * @param cache how long cached answers stay good
 * @param defaultUpstream the upstream for names that carry no registry host
 * @param localPrefixes repository prefixes whose content stays local and is never forwarded
 * @param upstreams the registries Berth proxies, the only ones it will connect to
 * @param shutdownGrace how long transfers in flight may take to finish on SIGTERM
 * @param auth who may pull and push what; null lets every client in
 * @param forwarding how pushed content is forwarded to upstreams
 * @param prefetch what Berth pre-pulls on its own, and how often
 * @param offline whether Berth connects to no upstream at all and serves only what it holds
 * @param proxy the outbound HTTP proxy for upstreams; null connects directly
 */
public record BerthConfig(
    HostPort listen,
    Path dataDir,
    @Nullable TlsConfig tls,
    StorageConfig storage,
    CacheConfig cache,
    String defaultUpstream,
    List<String> localPrefixes,
    List<UpstreamConfig> upstreams,
    Duration shutdownGrace,
    @Nullable AuthConfig auth,
    ForwardingConfig forwarding,
    PrefetchConfig prefetch,
    boolean offline,
    @Nullable ProxyConfig proxy) {

  public static final HostPort DEFAULT_LISTEN = HostPort.of("127.0.0.1:5000");
  public static final Path DEFAULT_DATA_DIR = Path.of("berth-data");

  /** The upstreams Berth knows when the configuration does not list any. */
  public static final List<UpstreamConfig> DEFAULT_UPSTREAMS =
      List.of(
          UpstreamConfig.of("docker.io", "https://registry-1.docker.io"),
          UpstreamConfig.of("ghcr.io"),
          UpstreamConfig.of("gcr.io"),
          UpstreamConfig.of("*.gcr.io"),
          UpstreamConfig.of("*-docker.pkg.dev"),
          UpstreamConfig.of("quay.io"),
          UpstreamConfig.of("registry.k8s.io"),
          UpstreamConfig.of("public.ecr.aws"),
          UpstreamConfig.of("mcr.microsoft.com"));

  public BerthConfig(
      @Nullable HostPort listen,
      @Nullable Path dataDir,
      @Nullable TlsConfig tls,
      @Nullable StorageConfig storage,
      @Nullable CacheConfig cache,
      @Nullable String defaultUpstream,
      @Nullable List<String> localPrefixes,
      @Nullable List<UpstreamConfig> upstreams,
      @Nullable Duration shutdownGrace,
      @Nullable AuthConfig auth,
      @Nullable ForwardingConfig forwarding,
      @Nullable PrefetchConfig prefetch,
      boolean offline,
      @Nullable ProxyConfig proxy) {
    this.listen = listen == null ? DEFAULT_LISTEN : listen;
    this.dataDir = dataDir == null ? DEFAULT_DATA_DIR : dataDir;
    this.tls = tls;
    this.storage = storage == null ? StorageConfig.DEFAULTS : storage;
    this.cache = cache == null ? CacheConfig.DEFAULTS : cache;
    this.defaultUpstream = defaultUpstream == null ? "docker.io" : defaultUpstream;
    this.localPrefixes = localPrefixes == null ? List.of() : List.copyOf(localPrefixes);
    this.upstreams = upstreams == null ? DEFAULT_UPSTREAMS : List.copyOf(upstreams);
    this.shutdownGrace = shutdownGrace == null ? Duration.ofSeconds(30) : shutdownGrace;
    this.auth = auth;
    this.forwarding = forwarding == null ? ForwardingConfig.DEFAULTS : forwarding;
    this.prefetch = prefetch == null ? PrefetchConfig.NONE : prefetch;
    this.offline = offline;
    this.proxy = proxy;
    validate();
  }

  @JsonCreator
  static BerthConfig fromJson(
      @JsonProperty("listen") @Nullable HostPort listen,
      @JsonProperty("dataDir") @Nullable Path dataDir,
      @JsonProperty("tls") @Nullable TlsConfig tls,
      @JsonProperty("storage") @Nullable StorageConfig storage,
      @JsonProperty("cache") @Nullable CacheConfig cache,
      @JsonProperty("defaultUpstream") @Nullable String defaultUpstream,
      @JsonProperty("localPrefixes") @Nullable List<String> localPrefixes,
      @JsonProperty("upstreams") @Nullable List<UpstreamConfig> upstreams,
      @JsonProperty("shutdownGrace") @Nullable Duration shutdownGrace,
      @JsonProperty("auth") @Nullable AuthConfig auth,
      @JsonProperty("forwarding") @Nullable ForwardingConfig forwarding,
      @JsonProperty("prefetch") @Nullable PrefetchConfig prefetch,
      @JsonProperty("offline") @Nullable Boolean offline,
      @JsonProperty("proxy") @Nullable ProxyConfig proxy) {
    return new BerthConfig(
        listen,
        dataDir,
        tls,
        storage,
        cache,
        defaultUpstream,
        localPrefixes,
        upstreams,
        shutdownGrace,
        auth,
        forwarding,
        prefetch,
        offline != null && offline,
        proxy);
  }

  /** The embedded defaults: what {@code berth serve} runs with when given no file. */
  public static BerthConfig defaults() {
    return new BerthConfig(
        null, null, null, null, null, null, null, null, null, null, null, null, false, null);
  }

  private void validate() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < upstreams.size(); i++) {
      if (!names.add(upstreams.get(i).name().text())) {
        throw new InvalidValueException(
            "upstreams[" + i + "].name", "duplicate upstream: \"" + upstreams.get(i).name() + "\"");
      }
    }
    Optional<UpstreamConfig> dflt = upstreamFor(defaultUpstream);
    if (dflt.isEmpty() || dflt.get().name().isPattern()) {
      throw new InvalidValueException(
          "defaultUpstream",
          "\"" + defaultUpstream + "\" is not the name of a configured upstream host");
    }
    for (int i = 0; i < localPrefixes.size(); i++) {
      String p = localPrefixes.get(i);
      if (!p.matches("[a-z0-9]+([._/-][a-z0-9]+)*")) {
        throw new InvalidValueException(
            "localPrefixes[" + i + "]",
            "not a repository prefix: \"" + p + "\" (expected: e.g. team/internal)");
      }
    }
  }

  /** The upstream whose name is {@code host} or whose pattern matches it; exact names win. */
  public Optional<UpstreamConfig> upstreamFor(String host) {
    return upstreams.stream()
        .filter(u -> !u.name().isPattern() && u.name().matches(host))
        .findFirst()
        .or(() -> upstreams.stream().filter(u -> u.name().matches(host)).findFirst());
  }

  /**
   * Whether Berth may connect to {@code upstream}: not when it, or Berth as a whole, is offline.
   */
  public boolean isOffline(UpstreamConfig upstream) {
    return offline || upstream.offline();
  }

  /** This configuration with another listen address. */
  public BerthConfig withListen(HostPort newListen) {
    return new BerthConfig(
        newListen,
        dataDir,
        tls,
        storage,
        cache,
        defaultUpstream,
        localPrefixes,
        upstreams,
        shutdownGrace,
        auth,
        forwarding,
        prefetch,
        offline,
        proxy);
  }

  /** This configuration with another data directory. */
  public BerthConfig withDataDir(Path newDataDir) {
    return new BerthConfig(
        listen,
        newDataDir,
        tls,
        storage,
        cache,
        defaultUpstream,
        localPrefixes,
        upstreams,
        shutdownGrace,
        auth,
        forwarding,
        prefetch,
        offline,
        proxy);
  }

  /** This configuration with other storage settings. */
  public BerthConfig withStorage(StorageConfig newStorage) {
    return new BerthConfig(
        listen,
        dataDir,
        tls,
        newStorage,
        cache,
        defaultUpstream,
        localPrefixes,
        upstreams,
        shutdownGrace,
        auth,
        forwarding,
        prefetch,
        offline,
        proxy);
  }
}
