package dev.berth.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from Debian's {@code postgresql} package: a cluster of its own in a
 * temporary directory, on a free loopback port, run by {@code pg_ctl} (no system service) as the
 * unprivileged user {@code nobody} when the tests run as root, since {@code initdb} refuses root.
 * It can be stopped and started again on the same data, for failure tests.
 */
public final class Postgres implements AutoCloseable {
  /** The superuser the cluster is made with; local connections are trusted. */
  public static final String USER = "berth";

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;
  private final boolean asNobody;

  private Postgres(Path bin, Path dir, int port, boolean asNobody) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
    this.asNobody = asNobody;
  }

  /** Creates a cluster in a new temporary directory and starts it. */
  public static Postgres start() throws IOException {
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir =
        Files.createTempDirectory(
            "berth-pg",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    if (root) {
      UserPrincipal nobody =
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
      Files.setOwner(dir, nobody);
    }
    Postgres pg = new Postgres(bin(), dir, Ports.free(), root);
    pg.run(
            List.of(
                pg.tool("initdb"),
                "-D",
                pg.data.toString(),
                "-U",
                USER,
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync"))
        .ok();
    pg.restart();
    return pg;
  }

  /** The newest {@code bin} directory of Debian's PostgreSQL packages. */
  private static Path bin() throws IOException {
    Path versions = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(versions)) {
      throw new AssertionError("PostgreSQL is not installed (Debian's postgresql): run .ci/setup");
    }
    try (Stream<Path> dirs = Files.list(versions)) {
      return dirs.map(d -> d.resolve("bin"))
          .filter(d -> Files.isExecutable(d.resolve("initdb")))
          .max(Comparator.comparing(d -> Integer.parseInt(d.getParent().getFileName().toString())))
          .orElseThrow(() -> new AssertionError("no initdb under " + versions + ": run .ci/setup"));
    }
  }

  private String tool(String name) {
    return bin.resolve(name).toString();
  }

  private Cmd.Result run(List<String> command) {
    List<String> full = new ArrayList<>();
    if (asNobody) {
      full.addAll(List.of("runuser", "-u", "nobody", "--"));
    }
    full.addAll(command);
    return Cmd.run(full, 120);
  }

  private boolean running() {
    return run(List.of(tool("pg_ctl"), "-D", data.toString(), "status")).exit() == 0;
  }

  /** Starts the server (again) on its port and data; nothing happens while it runs. */
  public void restart() {
    if (running()) {
      return;
    }
    run(List.of(
            tool("pg_ctl"),
            "-D",
            data.toString(),
            "-l",
            dir.resolve("server.log").toString(),
            "-o",
            "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off",
            "-w",
            "start"))
        .ok();
  }

  /** Stops the server at once, ending every session. */
  public void stop() {
    if (running()) {
      run(List.of(tool("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "stop")).ok();
    }
  }

  public int port() {
    return port;
  }

  /** The JDBC URL of database {@code name}. */
  public String url(String name) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  /** Creates a new, empty database, named at random; returns its name. */
  public String newDatabase() throws SQLException {
    String name = "berth_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(url("postgres"), USER, "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return name;
  }

  @Override
  public void close() throws IOException {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
