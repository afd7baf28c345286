package dev.berth.upstream.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.oci.DockerHub;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Credentials from Docker's {@code config.json}, looked up as the Docker CLI does: a {@code
 * credHelpers} entry for the registry runs {@code docker-credential-<name> get}; otherwise the
 * {@code credsStore} helper is asked; otherwise {@code auths} gives {@code auth} (base64 {@code
 * user:password}), {@code username}/{@code password} or {@code identitytoken}. The file is read
 * each time, so a {@code docker login} meanwhile is seen. Thread-safe.
 */
final class DockerConfigSource implements CredentialSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_FILE = 1 << 20;
  private static final int MAX_HELPER_OUTPUT = 64 << 10;
  private static final long HELPER_TIMEOUT_SECONDS = 10;
  private static final Pattern HELPER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final String DOCKER_HUB = DockerHub.NAME;
  private static final String DOCKER_HUB_SERVER = "https://index.docker.io/v1/";
  private static final String TOKEN_USER = "<token>";

  private final Path file;
  private final List<String> hosts;
  private final boolean required;

  /**
   * A source reading {@code file} for the first of {@code hosts} (host or host:port, the endpoint's
   * first) that it has; {@code required} makes "nothing there" an error.
   */
  DockerConfigSource(Path file, List<String> hosts, boolean required) {
    this.file = file;
    this.hosts = hosts.stream().map(DockerConfigSource::normalize).distinct().toList();
    this.required = required;
  }

  /** The config.json Docker itself would use: {@code configured}, $DOCKER_CONFIG or ~/.docker. */
  static Path locate(@Nullable Path configured, Map<String, String> env) {
    Path base;
    if (configured != null) {
      base = configured;
    } else if (env.get("DOCKER_CONFIG") != null && !env.get("DOCKER_CONFIG").isEmpty()) {
      base = Path.of(env.get("DOCKER_CONFIG"));
    } else {
      base = Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".docker");
    }
    return Files.isDirectory(base) || configured == null ? base.resolve("config.json") : base;
  }

  @Override
  public String describe() {
    return "docker config " + file;
  }

  @Override
  public Optional<Supplied> get() {
    if (!Files.isRegularFile(file)) {
      return none("there is no " + file);
    }
    JsonNode root;
    try {
      if (Files.size(file) > MAX_FILE) {
        throw new CredentialException(describe() + ": larger than " + MAX_FILE + " bytes");
      }
      root = JSON.readTree(file.toFile());
    } catch (IOException e) {
      // Jackson's message may quote the file's content: only its kind is given.
      throw new CredentialException(
          describe() + ": cannot read it as JSON (" + e.getClass().getSimpleName() + ")");
    }
    for (String host : hosts) {
      Optional<Map.Entry<String, JsonNode>> helper = entry(root.path("credHelpers"), host);
      if (helper.isPresent()) {
        return askHelper(helper.get().getValue().asText(), serverUrl(helper.get().getKey(), host));
      }
    }
    String store = root.path("credsStore").asText("");
    for (String host : hosts) {
      if (!store.isEmpty()) {
        Optional<Supplied> stored = askHelper(store, serverUrl(null, host));
        if (stored.isPresent()) {
          return stored;
        }
      }
      Optional<Map.Entry<String, JsonNode>> auth = entry(root.path("auths"), host);
      if (auth.isPresent()) {
        return fromAuths(auth.get().getValue(), host);
      }
    }
    return none(describe() + " has no credentials for " + String.join(" or ", hosts));
  }

  private Optional<Supplied> none(String why) {
    if (required) {
      throw new CredentialException(why);
    }
    return Optional.empty();
  }

  private Optional<Supplied> fromAuths(JsonNode entry, String host) {
    String where = describe() + " auths[" + host + "]";
    String username = entry.path("username").asText("");
    String password = entry.path("password").asText("");
    String auth = entry.path("auth").asText("");
    if (!auth.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new CredentialException(where + ": auth is not base64");
      }
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new CredentialException(where + ": auth is not base64 of user:password");
      }
      username = decoded.substring(0, colon);
      password = decoded.substring(colon + 1);
    }
    String identity = entry.path("identitytoken").asText("");
    if (!identity.isEmpty()) {
      return Optional.of(new Supplied(new Credential(username, identity, true), where));
    }
    if (username.isEmpty() || password.isEmpty()) {
      return none(where + " has neither auth, username and password, nor identitytoken");
    }
    return Optional.of(new Supplied(new Credential(username, password, false), where));
  }

  /** Runs {@code docker-credential-<name> get} with {@code server} on its stdin. */
  private Optional<Supplied> askHelper(String name, String server) {
    String program = "docker-credential-" + name;
    if (!HELPER_NAME.matcher(name).matches()) {
      throw new CredentialException(describe() + ": not a credential helper name: " + name);
    }
    String where = describe() + " via " + program;
    Process p;
    try {
      p = new ProcessBuilder(program, "get").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new CredentialException(where + ": cannot run it (is it on PATH?)");
    }
    try {
      try (OutputStream in = p.getOutputStream()) {
        in.write(server.getBytes(StandardCharsets.UTF_8));
      }
      // The answer is small enough for the pipe's buffer: waiting first keeps the timeout true
      // for a helper that never closes its output.
      if (!p.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new CredentialException(
            where + ": gave no answer within " + HELPER_TIMEOUT_SECONDS + " s");
      }
      byte[] out = readCapped(p.getInputStream());
      if (p.exitValue() != 0) {
        // Helpers exit 1 with "credentials not found" for a server they do not know.
        return none(where + ": exited with " + p.exitValue() + " for " + server);
      }
      JsonNode answer = JSON.readTree(out);
      String username = answer.path("Username").asText("");
      String secret = answer.path("Secret").asText("");
      if (secret.isEmpty()) {
        return none(where + ": answered no Secret for " + server);
      }
      boolean identity = username.equals(TOKEN_USER);
      return Optional.of(
          new Supplied(new Credential(identity ? "" : username, secret, identity), where));
    } catch (IOException e) {
      throw new CredentialException(
          where + ": unreadable answer (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CredentialException(where + ": interrupted");
    } finally {
      p.destroyForcibly();
    }
  }

  private static byte[] readCapped(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) > 0; ) {
      if (out.size() + n > MAX_HELPER_OUTPUT) {
        throw new IOException("answer longer than " + MAX_HELPER_OUTPUT + " bytes");
      }
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  /** The entry of {@code map} whose key names {@code host}, however it is written. */
  private static Optional<Map.Entry<String, JsonNode>> entry(JsonNode map, String host) {
    for (Map.Entry<String, JsonNode> e : map.properties()) {
      if (normalize(e.getKey()).equals(host)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** What a helper is asked for: the key as written, or what the Docker CLI would send. */
  private static String serverUrl(@Nullable String key, String host) {
    if (key != null) {
      return key;
    }
    return host.equals(DOCKER_HUB) ? DOCKER_HUB_SERVER : host;
  }

  /** {@code https://index.docker.io/v1/} and {@code Registry-1.Docker.io} are both docker.io. */
  static String normalize(String key) {
    String host = key.trim().toLowerCase(Locale.ROOT);
    int scheme = host.indexOf("://");
    if (scheme >= 0) {
      host = host.substring(scheme + 3);
    }
    int slash = host.indexOf('/');
    if (slash >= 0) {
      host = host.substring(0, slash);
    }
    return DockerHub.canonical(host);
  }
}
