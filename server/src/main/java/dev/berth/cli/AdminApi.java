package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What the commands that talk to a running Berth share: the {@code --berth} and {@code --config}
 * options that name it (a picocli mixin), and how to show progress.
 */
final class AdminApi {
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
}
