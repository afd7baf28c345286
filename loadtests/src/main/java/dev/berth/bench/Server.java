package dev.berth.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A started server on a loopback port: Berth or one of its peers. Not thread-safe. */
class Server implements AutoCloseable {
  private Proc proc;
  private final int port;

  Server(Proc proc, int port) {
    this.proc = proc;
    this.port = port;
  }

  /** Starts {@code command} and waits until {@code readyPath} answers 200. */
  static Server start(String name, List<String> command, Path log, int port, String readyPath) {
    return start(name, command, java.util.Map.of(), log, port, readyPath);
  }

  /** As {@link #start(String, List, Path, int, String)}, with {@code env} added. */
  static Server start(
      String name,
      List<String> command,
      java.util.Map<String, String> env,
      Path log,
      int port,
      String readyPath) {
    Proc proc = Proc.start(name, command, env, log);
    try {
      Http.awaitReady("http://127.0.0.1:" + port + readyPath, proc, Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      proc.close();
      throw e;
    }
    return new Server(proc, port);
  }

  String name() {
    return proc.name();
  }

  int port() {
    return port;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The process serving now: a restarted server has a new one. */
  Proc proc() {
    return proc;
  }

  /** Serves from {@code next} on the same port from now on; the caller stopped the old process. */
  void replace(Proc next) {
    this.proc = next;
  }

  @Override
  public void close() {
    proc.close();
  }
}
