package dev.berth.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.file.Path;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where an upstream's credentials come from. With {@code source: auto} (the default) the first of
 * these that has something for the upstream supplies them: the inline {@code username} with {@code
 * password} or {@code identityToken}; Docker's {@code config.json} ({@code dockerConfig}, else
 * {@code $DOCKER_CONFIG}, else {@code ~/.docker}); Google application default credentials (or
 * {@code keyFile}) for {@code gcr.io}, {@code *.gcr.io} and {@code *-docker.pkg.dev}; none.
 *
 * @param source which source to use; {@code auto} tries them in the order above
 * @param username the user name for {@code password}, or with {@code identityToken}
 * @param password a password or personal access token
 * @param identityToken an OAuth2 refresh token, as {@code docker login} stores for some registries
 * @param dockerConfig a {@code config.json}, or the directory that holds it
 * @param keyFile a Google credentials file (service account key or workload identity federation);
 *     absent means application default credentials
 * @param realms token servers, besides the upstream's own host and registrable domain, that may
 *     receive these credentials: hosts ({@code auth.docker.io}) or URLs whose host is taken
 */
public record CredentialsConfig(
    Source source,
    @Nullable String username,
    @Nullable Secret password,
    @Nullable Secret identityToken,
    @Nullable Path dockerConfig,
    @Nullable Path keyFile,
    java.util.List<String> realms) {

  /** The credential sources, in the order {@code auto} tries them. */
  public enum Source {
    AUTO,
    INLINE,
    DOCKER,
    GOOGLE,
    NONE;

    @JsonCreator
    static Source parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidValueException(
            "unknown source \"" + text + "\" (expected: auto, inline, docker, google or none)");
      }
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** No configuration: {@code auto}, with nothing inline. */
  public static final CredentialsConfig AUTO =
      new CredentialsConfig(Source.AUTO, null, null, null, null, null, null);

  /** A source left out (null) is {@code auto}; realms left out are none. */
  public CredentialsConfig(
      @Nullable Source source,
      @Nullable String username,
      @Nullable Secret password,
      @Nullable Secret identityToken,
      @Nullable Path dockerConfig,
      @Nullable Path keyFile,
      java.util.@Nullable List<String> realms) {
    this.source = source == null ? Source.AUTO : source;
    this.username = username;
    this.password = password;
    this.identityToken = identityToken;
    this.dockerConfig = dockerConfig;
    this.keyFile = keyFile;
    this.realms =
        realms == null
            ? java.util.List.of()
            : realms.stream().map(CredentialsConfig::realmHost).toList();
    validate();
  }

  private void validate() {
    if (password != null && (username == null || username.isBlank())) {
      throw new InvalidValueException("password needs a username");
    }
    if (password != null && identityToken != null) {
      throw new InvalidValueException("give either password or identityToken, not both");
    }
    boolean inline = username != null || password != null || identityToken != null;
    if (source == Source.INLINE && password == null && identityToken == null) {
      throw new InvalidValueException(
          "source inline needs username with password, or identityToken");
    }
    if (inline && source != Source.INLINE && source != Source.AUTO) {
      throw new InvalidValueException(
          "username, password and identityToken are used with source inline or auto, not "
              + source);
    }
    if (inline && password == null && identityToken == null) {
      throw new InvalidValueException("username needs a password or identityToken");
    }
    if (dockerConfig != null && source != Source.DOCKER && source != Source.AUTO) {
      throw new InvalidValueException(
          "dockerConfig is used with source docker or auto, not " + source);
    }
    if (keyFile != null && source != Source.GOOGLE && source != Source.AUTO) {
      throw new InvalidValueException("keyFile is used with source google or auto, not " + source);
    }
  }

  @JsonCreator
  static CredentialsConfig fromJson(
      @JsonProperty("source") @Nullable Source source,
      @JsonProperty("username") @Nullable String username,
      @JsonProperty("password") @Nullable Secret password,
      @JsonProperty("identityToken") @Nullable Secret identityToken,
      @JsonProperty("dockerConfig") @Nullable Path dockerConfig,
      @JsonProperty("keyFile") @Nullable Path keyFile,
      @JsonProperty("realms") java.util.@Nullable List<String> realms) {
    return new CredentialsConfig(
        source, username, password, identityToken, dockerConfig, keyFile, realms);
  }

  /** The host of a {@code realms} entry, a host or a URL, in lower case. */
  private static String realmHost(@Nullable String entry) {
    String text = entry == null ? "" : entry.trim();
    try {
      java.net.URI uri = java.net.URI.create(text.contains("://") ? text : "https://" + text);
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("no host");
      }
      return uri.getHost().toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      throw new InvalidValueException(
          "realms: not a host or URL: \"" + entry + "\" (expected: e.g. auth.docker.io)");
    }
  }

  /** Whether inline credentials are configured. */
  public boolean hasInline() {
    return password != null || identityToken != null;
  }
}
