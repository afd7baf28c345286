package dev.berth.upstream.auth;

import dev.berth.config.CredentialsConfig;
import dev.berth.config.Secret;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/** Builds an upstream's {@link CredentialSource} from its {@code credentials} configuration. */
public final class CredentialSources {
  private CredentialSources() {}

  /**
   * The source for registry {@code host}, whose endpoints are {@code endpointHosts} (host or
   * host:port), configured by {@code config}; {@code env} is where $DOCKER_CONFIG and $HOME are.
   */
  public static CredentialSource of(
      String host, List<String> endpointHosts, CredentialsConfig config, Map<String, String> env) {
    List<String> hosts = new ArrayList<>(endpointHosts);
    hosts.add(host);
    return switch (config.source()) {
      case NONE -> CredentialSource.NONE;
      case INLINE -> inline(config);
      case DOCKER ->
          new DockerConfigSource(
              DockerConfigSource.locate(config.dockerConfig(), env), hosts, true);
      case GOOGLE -> new GoogleSource(config.keyFile(), true);
      case AUTO -> {
        List<CredentialSource> chain = new ArrayList<>();
        if (config.hasInline()) {
          chain.add(inline(config));
        }
        chain.add(
            new DockerConfigSource(
                DockerConfigSource.locate(config.dockerConfig(), env), hosts, false));
        if (config.keyFile() != null || isGoogleRegistry(host)) {
          chain.add(new GoogleSource(config.keyFile(), false));
        }
        yield new FirstOf(chain);
      }
    };
  }

  /** gcr.io, its regional hosts and Artifact Registry, which take Google access tokens. */
  static boolean isGoogleRegistry(String host) {
    return host.equals("gcr.io") || host.endsWith(".gcr.io") || host.endsWith("-docker.pkg.dev");
  }

  /** The inline secret; the configuration has one when a username or secret is given. */
  private static Secret secret(CredentialsConfig config) {
    Secret token = config.identityToken();
    return Objects.requireNonNull(
        token != null ? token : config.password(), "inline credentials have a secret");
  }

  private static CredentialSource inline(CredentialsConfig config) {
    return new CredentialSource() {
      @Override
      public Optional<Supplied> get() {
        boolean identity = config.identityToken() != null;
        Secret secret = secret(config);
        String username = config.username() == null ? "" : config.username();
        try {
          return Optional.of(
              new Supplied(new Credential(username, secret.reveal(), identity), describe()));
        } catch (IOException e) {
          throw new CredentialException(describe() + ": cannot read " + secret.origin() + ": " + e);
        }
      }

      @Override
      public String describe() {
        Secret secret = secret(config);
        String what = config.identityToken() != null ? "identity token" : "password";
        String user = config.username() == null ? "" : " for user " + config.username();
        return "inline " + what + user + " (" + secret.origin() + ")";
      }
    };
  }

  /** The first source of a chain that has credentials ({@code source: auto}). */
  private record FirstOf(List<CredentialSource> chain) implements CredentialSource {
    @Override
    public Optional<Supplied> get() {
      for (CredentialSource source : chain) {
        Optional<Supplied> supplied = source.get();
        if (supplied.isPresent()) {
          return supplied;
        }
      }
      return Optional.empty();
    }

    @Override
    public String describe() {
      return "auto: "
          + chain.stream().map(CredentialSource::describe).collect(Collectors.joining(", then "))
          + ", then none";
    }
  }
}
