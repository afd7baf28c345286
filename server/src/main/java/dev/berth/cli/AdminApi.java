package dev.berth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import dev.berth.prefetch.ImageRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What the commands that talk to a running Berth share: the {@code --berth} and {@code --config}
 * options that name it (a picocli mixin), and how to show progress.
 */
final class AdminApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--berth",
      paramLabel = "URL",
      description = "Berth's address (default: the configuration's listen address).")
  String berth;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "YAML configuration file, for the default --berth.")
  Path config;

  @Option(
      names = "--user",
      paramLabel = "NAME",
      description =
          "User to authenticate as, when Berth's configuration has auth: (default: $BERTH_USER);"
              + " the password or token comes from $BERTH_PASSWORD, never from the command line.")
  String user;

  /** The variable that holds the password or token of {@code --user}. */
  static final String PASSWORD_VARIABLE = "BERTH_PASSWORD";

  /**
   * The {@code Authorization} header for {@code --user} (or {@code $BERTH_USER}) with the password
   * in {@code $BERTH_PASSWORD}; empty when no user is named.
   */
  Optional<String> authorization(CommandLine cmd) {
    String name = user != null ? user : System.getenv("BERTH_USER");
    if (name == null || name.isEmpty()) {
      return Optional.empty();
    }
    String password = System.getenv(PASSWORD_VARIABLE);
    if (password == null) {
      throw new CommandLine.ParameterException(
          cmd, "--user " + name + ": set its password or token in $" + PASSWORD_VARIABLE);
    }
    String pair = name + ":" + password;
    return Optional.of(
        "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
  }

  /** The running Berth these options name. */
  URI base(CommandLine cmd) throws IOException {
    return base(berth, config, cmd);
  }

  /**
   * Berth's base URL: {@code berth} as given ({@code http://} added when it has no scheme), else
   * the listen address of {@code config} (or of the defaults), with a wildcard host read as
   * loopback.
   */
  static URI base(String berth, Path config, CommandLine cmd) throws IOException {
    String url = berth;
    if (url == null) {
      BerthConfig cfg =
          config == null ? BerthConfig.defaults() : ConfigLoader.withSystemEnv().load(config);
      String host = cfg.listen().host();
      if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
        host = "127.0.0.1";
      }
      url = (cfg.tls() == null ? "http://" : "https://") + host + ":" + cfg.listen().port();
    }
    if (!url.contains("://")) {
      url = "http://" + url;
    }
    try {
      URI uri = URI.create(url);
      if (uri.getAuthority() == null) {
        throw new IllegalArgumentException("no host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          cmd, "--berth: not a URL: " + url + " (" + e.getMessage() + ")");
    }
  }

  /** Whether stdout is a terminal, where progress rewrites one line. */
  @SuppressWarnings("SystemConsoleNull") // Berth runs on Java 17, where null means no terminal.
  static boolean isTerminal() {
    return System.console() != null;
  }

  /** {@code bytes} for people: {@code 512 B}, {@code 1.5 MiB}. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /**
   * Posts {@code images} to Berth's prefetch API at {@code base}, with {@code authorization} when
   * present, and returns the lines of its answer; with {@code check}, Berth fetches nothing and
   * says what it holds.
   */
  static Stream<String> prefetch(
      URI base, Optional<String> authorization, List<ImageRequest> images, boolean check)
      throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("check", check);
    ArrayNode list = body.putArray("images");
    for (ImageRequest image : images) {
      ObjectNode n = list.addObject();
      n.put("ref", image.ref());
      n.put("origin", image.origin());
      image.platforms().forEach(n.putArray("platforms")::add);
    }
    URI uri = base.resolve("/_berth/v1/prefetch");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri)
              .header("content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
      authorization.ifPresent(a -> request.header("authorization", a));
      HttpResponse<Stream<String>> res =
          http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
      if (res.statusCode() != 200) {
        String answer = String.join("\n", res.body().toList());
        throw new IllegalStateException(uri + " answered " + res.statusCode() + ": " + answer);
      }
      return res.body();
    } catch (ConnectException e) {
      throw new IllegalStateException("cannot reach Berth at " + base + ": connection refused", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
