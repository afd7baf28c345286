package dev.berth.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The backends of a Berth on {@code storage.backend: shared}, on loopback, each a process of its
 * own: PostgreSQL from Debian's {@code postgresql} package (a cluster made for the run, with the
 * server's defaults; as the user {@code nobody} when the benchmark runs as root, since {@code
 * initdb} refuses root) and s3proxy on its filesystem backend, whose objects are files the cold
 * scenarios can delete.
 */
final class SharedBackends implements AutoCloseable {
  private static final String BUCKET = "berth-bench";
  private static final String PREFIX = "berth/";
  private static final String KEY = "berth-bench";
  private static final String SECRET = "berth-bench-secret";

  private final Path pgDir;
  private final Path objects;
  private final List<Proc> started = new ArrayList<>();
  private int pgPort;
  private int s3Port;

  private SharedBackends(Path pgDir, Path objects) {
    this.pgDir = pgDir;
    this.objects = objects;
  }

  /** Starts both under {@code dir} (PostgreSQL's cluster in a directory of its own). */
  static SharedBackends start(Path dir, Path s3proxyJar) {
    if (!Files.isRegularFile(s3proxyJar)) {
      throw new BenchException(
          "--s3proxy: no s3proxy jar at " + s3proxyJar + " (./mvnw package copies it there)");
    }
    SharedBackends b;
    try {
      // Readable by nobody, which a directory under the benchmark's own may not be.
      Path pgDir =
          Files.createTempDirectory(
              "berth-bench-pg",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      Files.createDirectories(dir.resolve("s3/data").resolve(BUCKET));
      b = new SharedBackends(pgDir, dir.resolve("s3/data"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      b.startPostgres();
      b.startS3(dir.resolve("s3"), s3proxyJar);
      return b;
    } catch (RuntimeException e) {
      b.close();
      throw e;
    }
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The newest {@code bin} directory of Debian's PostgreSQL packages. */
  private static Path pgBin() {
    Path versions = Path.of("/usr/lib/postgresql");
    try (Stream<Path> dirs = Files.list(versions)) {
      return dirs.map(d -> d.resolve("bin"))
          .filter(d -> Files.isExecutable(d.resolve("initdb")))
          .max(Comparator.comparing(d -> Integer.parseInt(d.getParent().getFileName().toString())))
          .orElseThrow();
    } catch (IOException | java.util.NoSuchElementException e) {
      throw new BenchException(
          "PostgreSQL is missing (apt-get install postgresql), which the shared-backends rows"
              + " need; --no-shared leaves them out");
    }
  }

  private static List<String> asServerUser(List<String> command) {
    List<String> full = new ArrayList<>();
    if (root()) {
      full.addAll(List.of("runuser", "-u", "nobody", "--"));
    }
    full.addAll(command);
    return full;
  }

  private void startPostgres() {
    Path bin = pgBin();
    Path data = pgDir.resolve("data");
    try {
      if (root()) {
        Files.setOwner(
            pgDir,
            pgDir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
      }
      Process init =
          new ProcessBuilder(
                  asServerUser(
                      List.of(
                          bin.resolve("initdb").toString(),
                          "-D",
                          data.toString(),
                          "-U",
                          "berth",
                          "--auth=trust",
                          "-E",
                          "UTF8")))
              .redirectErrorStream(true)
              .redirectOutput(pgDir.resolve("initdb.log").toFile())
              .start();
      if (!init.waitFor(120, TimeUnit.SECONDS) || init.exitValue() != 0) {
        throw new BenchException("initdb failed: " + Files.readString(pgDir.resolve("initdb.log")));
      }
    } catch (IOException e) {
      throw new BenchException("cannot make a PostgreSQL cluster: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
    pgPort = Ports.free();
    Proc pg =
        Proc.start(
            "postgresql",
            asServerUser(
                List.of(
                    bin.resolve("postgres").toString(),
                    "-D",
                    data.toString(),
                    "-p",
                    Integer.toString(pgPort),
                    "-k",
                    pgDir.toString(),
                    "-c",
                    "listen_addresses=127.0.0.1")),
            pgDir.resolve("server.log"));
    started.add(pg);
    awaitPostgres(bin, pg);
  }

  private void awaitPostgres(Path bin, Proc pg) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!pg.isAlive()) {
        throw new BenchException("PostgreSQL exited while starting:\n" + pg.tail());
      }
      try {
        Process ready =
            new ProcessBuilder(
                    bin.resolve("pg_isready").toString(),
                    "-q",
                    "-h",
                    "127.0.0.1",
                    "-p",
                    Integer.toString(pgPort))
                .start();
        if (ready.waitFor(10, TimeUnit.SECONDS) && ready.exitValue() == 0) {
          return;
        }
      } catch (IOException e) {
        throw new BenchException("cannot run pg_isready: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("interrupted", e);
      }
      Http.sleepMillis(100);
    }
    throw new BenchException("PostgreSQL did not start within 60 s:\n" + pg.tail());
  }

  private void startS3(Path dir, Path jar) {
    s3Port = Ports.free();
    Path properties = dir.resolve("s3proxy.properties");
    try {
      Files.writeString(
          properties,
          String.join(
              "\n",
              "s3proxy.endpoint=http://127.0.0.1:" + s3Port,
              "s3proxy.authorization=aws-v2-or-v4",
              "s3proxy.identity=" + KEY,
              "s3proxy.credential=" + SECRET,
              "jclouds.provider=filesystem",
              "jclouds.filesystem.basedir=" + objects,
              ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Proc s3 =
        Proc.start(
            "s3proxy",
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                jar.toString(),
                "org.gaul.s3proxy.Main",
                "--properties",
                properties.toString()),
            dir.resolve("log"));
    started.add(s3);
    // Up once it refuses an unsigned request.
    Http.awaitStatus("http://127.0.0.1:" + s3Port + "/", 403, s3, Duration.ofSeconds(60));
  }

  /** The {@code storage} section of a Berth on these backends, as YAML. */
  String storageYaml() {
    return """
        storage:
          backend: shared
          objectStore:
            endpoint: http://127.0.0.1:%d
            region: us-east-1
            bucket: %s
            prefix: %s
            pathStyle: true
            credentials:
              accessKeyId: %s
              secretAccessKey: %s
          database:
            url: jdbc:postgresql://127.0.0.1:%d/postgres
            user: berth
        """
        .formatted(s3Port, BUCKET, PREFIX, KEY, SECRET, pgPort);
  }

  /**
   * Deletes blob {@code digest} from the database's account ({@code blobs}), as a Berth started
   * afterwards reads it: with the blob's files deleted too, the blob is cold for that Berth.
   */
  void forget(String digest) {
    if (!digest.matches("sha256:[0-9a-f]{64}")) {
      throw new IllegalArgumentException("digest: " + digest);
    }
    try {
      Process p =
          new ProcessBuilder(
                  pgBin().resolve("psql").toString(),
                  "-h",
                  "127.0.0.1",
                  "-p",
                  Integer.toString(pgPort),
                  "-U",
                  "berth",
                  "-d",
                  "postgres",
                  "-v",
                  "ON_ERROR_STOP=1",
                  "-qc",
                  "DELETE FROM blobs WHERE digest = '" + digest + "'")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new BenchException("psql could not delete " + digest + ": " + out);
      }
    } catch (IOException e) {
      throw new BenchException("cannot run psql: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }

  /** The file s3proxy keeps object {@code name} (below the prefix) in. */
  Path object(String name) {
    return objects.resolve(BUCKET).resolve(PREFIX + name);
  }

  @Override
  public void close() {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    try (Stream<Path> files = Files.walk(pgDir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("bench: cannot remove " + pgDir + ": " + e);
    }
  }
}
