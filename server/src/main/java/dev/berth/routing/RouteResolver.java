package dev.berth.routing;

import dev.berth.config.BerthConfig;
import dev.berth.config.UpstreamConfig;
import dev.berth.errors.OciError;
import dev.berth.oci.DockerHub;
import dev.berth.oci.RepositoryName;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Turns a {@code /v2/} path and its {@code ns} parameter into a {@link RegistryRoute}, in DESIGN's
 * order of precedence: {@code ns} first, then a first path segment that is a registry host, then
 * local-only prefixes, then the default upstream. Thread-safe.
 */
public final class RouteResolver {
  private static final String DOCKER_HUB = DockerHub.NAME;

  /** A DNS name, IPv4 address or bracketed IPv6 address, with an optional port. */
  private static final Pattern HOST =
      Pattern.compile(
          "([a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\\[[0-9a-f:.]+\\])"
              + "(:[0-9]{1,5})?");

  private final BerthConfig config;

  public RouteResolver(BerthConfig config) {
    this.config = config;
  }

  /**
   * Resolves {@code path}, the part after {@code /v2/}, for example {@code
   * ghcr.io/org/img/manifests/1.0}.
   *
   * @throws dev.berth.errors.RegistryException NAME_INVALID, NAME_UNKNOWN or DENIED
   */
  public RegistryRoute resolve(String path, @Nullable String namespace) {
    Split split = split(path);
    Target target = target(split.name(), namespace);
    return new RegistryRoute(
        split.kind(), target, RegistryRoute.Reference.parse(split.reference()), namespace);
  }

  /**
   * The repository {@code name} denotes as a client writes it without {@code ns} (a mount's {@code
   * from}, say): a first segment that is a host names the upstream, else local-only prefixes, else
   * the default upstream.
   *
   * @throws dev.berth.errors.RegistryException NAME_INVALID or DENIED
   */
  public Target named(String name) {
    return target(name, null);
  }

  private record Split(String name, RegistryRoute.Kind kind, String reference) {}

  private static Split split(String path) {
    if (path.endsWith("/tags/list")) {
      return new Split(cut(path, "/tags/list".length()), RegistryRoute.Kind.TAGS, "");
    }
    int uploads = path.lastIndexOf("/blobs/uploads");
    if (uploads > 0) {
      String rest = path.substring(uploads + "/blobs/uploads".length());
      if (rest.isEmpty() || rest.equals("/") || rest.lastIndexOf('/') == 0) {
        return new Split(
            path.substring(0, uploads), RegistryRoute.Kind.UPLOAD, rest.replace("/", ""));
      }
    }
    for (RegistryRoute.Kind kind :
        new RegistryRoute.Kind[] {
          RegistryRoute.Kind.MANIFEST, RegistryRoute.Kind.BLOB, RegistryRoute.Kind.REFERRERS
        }) {
      String marker =
          switch (kind) {
            case MANIFEST -> "/manifests/";
            case BLOB -> "/blobs/";
            default -> "/referrers/";
          };
      int at = path.lastIndexOf(marker);
      if (at > 0) {
        String ref = path.substring(at + marker.length());
        if (!ref.isEmpty() && ref.indexOf('/') < 0) {
          return new Split(path.substring(0, at), kind, ref);
        }
      }
    }
    throw OciError.NAME_UNKNOWN.with("not a registry API path: /v2/" + path);
  }

  private static String cut(String path, int suffix) {
    return path.substring(0, path.length() - suffix);
  }

  private Target target(String name, @Nullable String namespace) {
    String first = name.contains("/") ? name.substring(0, name.indexOf('/')) : null;
    if (namespace != null && !namespace.isEmpty()) {
      String host = canonicalHost(namespace);
      String repo = first != null && canonicalHost(first).equals(host) ? rest(name) : name;
      return upstreamTarget(host, repo);
    }
    if (first != null && isHost(first)) {
      return upstreamTarget(canonicalHost(first), rest(name));
    }
    RepositoryName repo = repository(name);
    for (String prefix : config.localPrefixes()) {
      if (repo.startsWith(prefix)) {
        return new Target(Target.LOCAL, repo, Optional.empty());
      }
    }
    return upstreamTarget(config.defaultUpstream(), name);
  }

  private Target upstreamTarget(String host, String name) {
    Optional<UpstreamConfig> upstream = config.upstreamFor(host);
    if (upstream.isEmpty()) {
      throw OciError.DENIED.with(
          "registry "
              + host
              + " is not a configured upstream of this Berth; "
              + "add it under upstreams: to proxy it");
    }
    RepositoryName repo = repository(name);
    if (host.equals(DOCKER_HUB) && repo.isSingleComponent()) {
      repo = RepositoryName.of("library/" + repo);
    }
    return new Target(host, repo, upstream);
  }

  private static RepositoryName repository(String name) {
    try {
      return RepositoryName.of(name);
    } catch (IllegalArgumentException e) {
      throw OciError.NAME_INVALID.with(String.valueOf(e.getMessage()));
    }
  }

  /** Whether a first path segment names a registry host rather than a repository component. */
  static boolean isHost(String segment) {
    return segment.indexOf('.') >= 0 || segment.indexOf(':') >= 0 || segment.equals("localhost");
  }

  /**
   * {@code host} in lower case, with Docker Hub's aliases as {@code docker.io}.
   *
   * @throws dev.berth.errors.RegistryException NAME_INVALID unless it is a host name or address
   *     with an optional port that reads back as itself when written as a URL's authority: nothing
   *     a client sends may become a user, a path, a query or a fragment of a URL Berth connects to
   */
  private static String canonicalHost(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (!HOST.matcher(h).matches() || !isAuthority(h)) {
      throw OciError.NAME_INVALID.with(
          "not a registry host: \"" + host + "\" (expected: a host name or address, e.g. ghcr.io)");
    }
    return DockerHub.canonical(h);
  }

  private static boolean isAuthority(String host) {
    try {
      URI uri = new URI("https://" + host + "/");
      return host.equals(uri.getRawAuthority())
          && uri.getHost() != null
          && (uri.getPort() == -1 || (uri.getPort() >= 1 && uri.getPort() <= 65535));
    } catch (URISyntaxException e) {
      return false;
    }
  }

  private static String rest(String name) {
    return name.substring(name.indexOf('/') + 1);
  }
}
