package dev.berth.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.berth.config.AuthConfig;
import dev.berth.config.ConfigException;
import dev.berth.errors.OciError;
import dev.berth.oci.Digest;
import dev.berth.routing.Target;
import dev.berth.watch.FileWatcher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Client authentication and authorization on Berth itself, from the {@code auth} section: HTTP
 * Basic against an htpasswd file of bcrypt entries or static tokens, then the rules. A client
 * without credentials that a rule does not let in gets {@code 401} with a {@code Basic} challenge
 * (which Docker, containerd, podman and skopeo answer); an authenticated one gets {@code DENIED}.
 * Checked before anything is fetched or forwarded. A verified password is remembered for five
 * minutes, as a bcrypt check costs tens of milliseconds. Thread-safe.
 */
public final class ClientAccess {
  private static final String ANONYMOUS = "anonymous";
  private static final String ANY_USER = "*";
  private static final String CHALLENGE = "Basic realm=\"berth\"";

  /** Where Berth issues its bearer tokens, for clients that see its token challenge. */
  public static final String TOKEN_PATH = "/_berth/v1/token";

  private static final Logger log = LoggerFactory.getLogger(ClientAccess.class);

  private final @Nullable AuthConfig config;

  /** The htpasswd users and their hashes: replaced whole when the file is reread. */
  private volatile Map<String, String> bcrypt;

  private final Cache<String, String> verified =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(5)).build();

  private final BearerTokens tokens = new BearerTokens(Clock.systemUTC());

  /**
   * Whether clients are challenged for a bearer token of Berth's own rather than for Basic: when
   * {@code anonymous} may pull but named users may do more. A Basic challenge on {@code /v2/} would
   * stop Docker's anonymous pulls ({@code no basic auth credentials}), and a {@code 200} there
   * makes skopeo and podman push without the credentials they hold; a token challenge lets each
   * client fetch a token as who it is, anonymous or not.
   */
  private final boolean challengesForTokens;

  /** Whether some rule grants {@code anonymous} anything. */
  private final boolean anonymousRule;

  private ClientAccess(@Nullable AuthConfig config, Map<String, String> bcrypt) {
    this.config = config;
    this.bcrypt = bcrypt;
    this.anonymousRule =
        config != null && config.rules().stream().anyMatch(r -> r.users().contains(ANONYMOUS));
    this.challengesForTokens = config != null && namedUsersGetMore(config.rules());
  }

  private static boolean namedUsersGetMore(List<AuthConfig.Rule> rules) {
    List<AuthConfig.Rule> anonymous =
        rules.stream().filter(r -> r.users().contains(ANONYMOUS)).toList();
    if (anonymous.isEmpty()) {
      return false;
    }
    List<String> anonymousPush = anonymous.stream().flatMap(r -> r.push().stream()).toList();
    List<String> anonymousPull =
        anonymous.stream().flatMap(r -> concat(r.pull(), r.push()).stream()).toList();
    for (AuthConfig.Rule rule : rules) {
      if (rule.users().equals(List.of(ANONYMOUS))) {
        continue;
      }
      if (!covered(rule.push(), anonymousPush) || !covered(rule.pull(), anonymousPull)) {
        return true;
      }
    }
    return false;
  }

  /** Whether every prefix in {@code grants} lies within one of {@code within}. */
  private static boolean covered(List<String> grants, List<String> within) {
    for (String grant : grants) {
      String g = grant.endsWith("/") || grant.equals(ANY_USER) ? grant : grant + "/";
      boolean inside =
          within.stream()
              .anyMatch(w -> w.equals(ANY_USER) || g.startsWith(w.endsWith("/") ? w : w + "/"));
      if (!inside) {
        return false;
      }
    }
    return true;
  }

  /** Access as {@code config} says; null lets every client in. */
  public static ClientAccess of(@Nullable AuthConfig config) throws IOException {
    return new ClientAccess(
        config, config == null || config.htpasswd() == null ? Map.of() : read(config.htpasswd()));
  }

  /**
   * Rereads the htpasswd file whenever {@code watcher} sees it change: a rotated password works
   * without a restart, and passwords verified before are checked again. A file that cannot be read
   * or has a bad line leaves the users read before in force, and the log says why.
   */
  public void follow(FileWatcher watcher) throws IOException {
    if (config == null || config.htpasswd() == null) {
      return;
    }
    Path file = config.htpasswd();
    watcher.watch(
        file,
        () -> {
          try {
            Map<String, String> users = read(file);
            if (users.isEmpty()) {
              throw new ConfigException(file + ": auth.htpasswd: names no user");
            }
            bcrypt = users;
            verified.invalidateAll();
            log.info("auth.htpasswd: reread {}: {} user(s)", file, users.size());
          } catch (IOException | ConfigException e) {
            log.warn(
                "auth.htpasswd: {}; keeping the {} user(s) read before",
                e instanceof ConfigException ? e.getMessage() : file + ": " + e,
                bcrypt.size());
          }
        });
  }

  private static Map<String, String> read(Path file) throws IOException {
    Map<String, String> users = new HashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String hash = colon < 0 ? "" : line.substring(colon + 1);
      if (colon <= 0 || !hash.matches("\\$2[abxy]?\\$\\d\\d\\$.{53}")) {
        // The hash is not quoted: a malformed line may hold a password in clear.
        throw new ConfigException(
            file
                + ":"
                + (i + 1)
                + ": auth.htpasswd: not a user:bcrypt line (create entries with htpasswd -B)");
      }
      users.put(line.substring(0, colon), hash);
    }
    return users;
  }

  /** Checks that the client of {@code ctx} may pull from, or push to, {@code target}. */
  public void check(ServiceRequestContext ctx, Target target, boolean push) {
    if (config == null) {
      return;
    }
    Optional<String> user = user(ctx);
    if (granted(user, target.toString(), push)) {
      return;
    }
    refuse(user, (push ? "push to " : "pull from ") + target);
  }

  /**
   * Whether the client of {@code ctx} may pull from, or push to, {@code target}; unlike {@link
   * #check}, a refusal is an answer, not an error (a mount's source, say).
   */
  public boolean allows(ServiceRequestContext ctx, Target target, boolean push) {
    return config == null || granted(user(ctx), target.toString(), push);
  }

  /**
   * Checks that the client of {@code ctx} may pull every repository in {@code repositories}
   * (written {@code <registry>/<repository>}), or push to them; for the admin endpoints.
   */
  public void checkAll(ServiceRequestContext ctx, List<String> repositories, boolean push) {
    if (config == null) {
      return;
    }
    Optional<String> user = user(ctx);
    for (String repository : repositories) {
      if (!granted(user, repository, push)) {
        refuse(user, (push ? "push to " : "pull from ") + repository);
      }
    }
  }

  /**
   * Checks that the client of {@code ctx} is one that some rule names: anonymous clients only when
   * a rule grants {@code anonymous} anything. For admin endpoints that name no repository.
   */
  public void checkKnown(ServiceRequestContext ctx) {
    if (config == null) {
      return;
    }
    Optional<String> user = user(ctx);
    if (user.isEmpty() && !anonymousRule) {
      throw unauthorized("authentication required");
    }
  }

  private boolean granted(Optional<String> user, String target, boolean push) {
    AuthConfig auth = config;
    if (auth == null) {
      return true;
    }
    String repository = target + "/";
    for (AuthConfig.Rule rule : auth.rules()) {
      if (!applies(rule, user)) {
        continue;
      }
      List<String> grants = push ? rule.push() : concat(rule.pull(), rule.push());
      for (String prefix : grants) {
        if (prefix.equals(ANY_USER)
            || repository.startsWith(prefix.endsWith("/") ? prefix : prefix + "/")) {
          return true;
        }
      }
    }
    return false;
  }

  private void refuse(Optional<String> user, String what) {
    if (user.isEmpty()) {
      throw unauthorized("authentication required to " + what);
    }
    throw OciError.DENIED.with(
        "user " + user.get() + " may not " + what + " (no rule in auth.rules grants it)");
  }

  /** {@code GET /v2/}: checks credentials when sent; asks for them when anonymous gets nothing. */
  public void checkBase(ServiceRequestContext ctx) {
    if (config == null) {
      return;
    }
    boolean presented = ctx.request().headers().contains(HttpHeaderNames.AUTHORIZATION);
    Optional<String> user = user(ctx);
    if (user.isEmpty() && (!anonymousRule || (challengesForTokens && !presented))) {
      throw unauthorized("authentication required");
    }
  }

  private static boolean applies(AuthConfig.Rule rule, Optional<String> user) {
    return user.isEmpty()
        ? rule.users().contains(ANONYMOUS)
        : rule.users().contains(ANY_USER) || rule.users().contains(user.get());
  }

  /** The authenticated user, empty for a client that sent no credentials. */
  private Optional<String> user(ServiceRequestContext ctx) {
    String header = ctx.request().headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return tokens
          .verify(header.substring(7).trim())
          .orElseThrow(() -> unauthorized("the token is invalid or has expired"));
    }
    return basicUser(header);
  }

  /** The user of a {@code Basic} header, verified; 401 when the credentials are not valid. */
  Optional<String> basicUser(String header) {
    if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
      throw unauthorized("only Basic credentials and Berth's own bearer tokens are accepted");
    }
    String decoded;
    try {
      decoded =
          new String(
              Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw unauthorized("malformed Basic credentials");
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw unauthorized("malformed Basic credentials");
    }
    return Optional.of(authenticate(decoded.substring(0, colon), decoded.substring(colon + 1)));
  }

  /** {@code name}, once {@code password} is verified for it; 401 otherwise. */
  String authenticate(String name, String password) {
    String key = Digest.sha256((name + ":" + password).getBytes(StandardCharsets.UTF_8)).hex();
    if (name.equals(verified.getIfPresent(key))) {
      return name;
    }
    if (!valid(name, password)) {
      // Neither the name's existence nor the password is told apart.
      throw unauthorized("invalid user name or password");
    }
    verified.put(key, name);
    return name;
  }

  /** A bearer token for {@code user} (empty for anonymous). */
  String issue(Optional<String> user) {
    return tokens.issue(user);
  }

  /** Whether anonymous clients may have a token: when a rule grants {@code anonymous} anything. */
  boolean anonymousAllowed() {
    return config == null || anonymousRule;
  }

  private boolean valid(String name, String password) {
    AuthConfig auth = config;
    if (auth == null) {
      // Without auth, no credentials are known (and none are asked for).
      return false;
    }
    for (AuthConfig.StaticToken t : auth.tokens()) {
      if (t.user().equals(name)) {
        try {
          return MessageDigest.isEqual(
              t.token().reveal().getBytes(StandardCharsets.UTF_8),
              password.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          throw OciError.UNAVAILABLE.with("the token of user " + name + " cannot be read");
        }
      }
    }
    String hash = bcrypt.get(name);
    if (hash == null) {
      return false;
    }
    try {
      // Apache writes $2y$, the same algorithm as $2a$.
      return BCrypt.checkpw(password, hash.replaceFirst("^\\$2y\\$", "\\$2a\\$"));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  RuntimeException unauthorized(String detail) {
    ServiceRequestContext ctx = ServiceRequestContext.current();
    ctx.addAdditionalResponseHeader(
        HttpHeaderNames.WWW_AUTHENTICATE, challengesForTokens ? tokenChallenge(ctx) : CHALLENGE);
    return OciError.UNAUTHORIZED.with(detail);
  }

  /** {@code Bearer realm=...}: the token endpoint at the address the client used. */
  private static String tokenChallenge(ServiceRequestContext ctx) {
    String authority = ctx.request().headers().authority();
    if (authority == null || !authority.matches("[A-Za-z0-9.:\\[\\]-]{1,262}")) {
      // Not a host and port: the address the client reached instead.
      authority = ctx.localAddress().getHostString() + ":" + ctx.localAddress().getPort();
    }
    String scheme = ctx.sessionProtocol().isTls() ? "https" : "http";
    return "Bearer realm=\"" + scheme + "://" + authority + TOKEN_PATH + "\",service=\"berth\"";
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
