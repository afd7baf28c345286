package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigException;
import dev.berth.config.ConfigLoader;
import dev.berth.config.Durations;
import dev.berth.config.HostPort;
import dev.berth.config.InvalidValueException;
import dev.berth.server.BerthServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code berth serve}: runs the registry proxy until SIGTERM or SIGINT, then drains and exits 0.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    header = "Runs the registry proxy.",
    description = {
      "Runs the registry proxy. With no --config, the embedded defaults: listen 127.0.0.1:5000,",
      "data in ./berth-data, and the public registries (docker.io, ghcr.io, gcr.io, quay.io, ...)",
      "as upstreams. SIGTERM stops accepting, lets transfers finish within shutdownGrace, exits 0."
    })
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path config;

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Overrides listen.")
  String listen;

  @Option(names = "--data", paramLabel = "DIR", description = "Overrides dataDir.")
  Path data;

  @Override
  public Integer call() throws Exception {
    BerthConfig cfg =
        config == null
            ? BerthConfig.defaults()
            : ConfigLoader.withSystemEnv().loadForServing(config);
    if (listen != null) {
      cfg = cfg.withListen(parseListen(listen));
    }
    if (data != null) {
      cfg = cfg.withDataDir(data);
    }
    BerthConfig effective = cfg;
    BerthServer server;
    try {
      server = BerthServer.start(effective);
    } catch (CompletionException e) {
      // Armeria reports a failed bind without the address; say which one.
      throw new IllegalStateException(
          "cannot listen on " + effective.listen() + ": " + rootMessage(e), e);
    }
    log.info(
        "Berth listening on {}:{}, data in {}",
        cfg.listen().host(),
        server.port(),
        cfg.dataDir().toAbsolutePath());
    // SIGTERM and SIGINT run this hook: drain, then end with status 0 rather than 143.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info(
                      "draining: transfers in flight have {} to finish",
                      Durations.format(effective.shutdownGrace()));
                  server.close();
                  log.info("stopped");
                  Runtime.getRuntime().halt(0);
                },
                "berth-drain"));
    new CountDownLatch(1).await();
    return 0;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }

  private static HostPort parseListen(String text) {
    try {
      return HostPort.of(text);
    } catch (InvalidValueException e) {
      throw new ConfigException("--listen: " + e.getMessage());
    }
  }
}
