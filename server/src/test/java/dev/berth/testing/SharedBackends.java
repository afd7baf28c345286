package dev.berth.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.berth.config.DatabaseConfig;
import dev.berth.config.ObjectStoreConfig;
import dev.berth.config.Secret;
import dev.berth.config.StorageConfig;
import dev.berth.objectstore.BucketSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shared backends for tests: one s3proxy and one PostgreSQL cluster per test JVM, started on
 * first use and stopped when the JVM exits, and for each data directory a bucket and a database of
 * its own, so that a Berth started again on the same data directory finds the same shared state
 * while tests stay apart. With {@code -Dberth.test.backend=shared}, {@link Berth#start} runs every
 * in-process Berth on them.
 */
public final class SharedBackends {
  private static final Map<Path, StorageConfig> byDataDir = new ConcurrentHashMap<>();
  private static S3Server s3;
  private static Postgres postgres;

  private SharedBackends() {}

  /** Whether this test run puts Berth on the shared backends. */
  public static boolean selected() {
    return "shared".equals(System.getProperty("berth.test.backend", "filesystem"));
  }

  private static synchronized void startServers() throws IOException {
    if (s3 != null) {
      return;
    }
    Path dir = Files.createTempDirectory("berth-shared-");
    s3 = S3Server.start(dir.resolve("s3"));
    postgres = Postgres.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  s3.stop();
                  try {
                    postgres.close();
                  } catch (IOException e) {
                    // The JVM is going; the cluster's directory is temporary.
                  }
                }));
  }

  /** The S3 server, started if need be. */
  public static S3Server s3() {
    try {
      startServers();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return s3;
  }

  /** The PostgreSQL cluster, started if need be. */
  public static Postgres postgres() {
    s3();
    return postgres;
  }

  /** The bucket and database of {@code dataDir}, made on first use. */
  private static StorageConfig backendsOf(Path dataDir) {
    return byDataDir.computeIfAbsent(dataDir.toAbsolutePath().normalize(), d -> newBackends());
  }

  /**
   * {@code storage} on the shared backends of {@code dataDir}: its limits and switches kept, its
   * bucket and database made on first use.
   */
  public static StorageConfig forDataDir(Path dataDir, StorageConfig storage) {
    StorageConfig shared = backendsOf(dataDir);
    return new StorageConfig(
        StorageConfig.Backend.SHARED,
        storage.diskBudget(),
        storage.localTier(),
        storage.uploadTtl(),
        storage.allowDelete(),
        shared.objectStore(),
        shared.database());
  }

  /** A new bucket and database, as a storage section of its own. */
  public static StorageConfig newBackends() {
    BucketSettings bucket = s3().newBucket("berth/");
    String database;
    try {
      database = postgres().newDatabase();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a database", e);
    }
    return new StorageConfig(
        StorageConfig.Backend.SHARED,
        null,
        null,
        null,
        false,
        new ObjectStoreConfig(
            bucket.endpoint(),
            bucket.region(),
            bucket.bucket(),
            bucket.prefix(),
            true,
            new ObjectStoreConfig.Credentials(
                ObjectStoreConfig.Credentials.Source.INLINE,
                S3Server.ACCESS_KEY,
                Secret.of(S3Server.SECRET_KEY))),
        new DatabaseConfig(postgres().url(database), Postgres.USER, null, 4));
  }

  /**
   * The configuration file {@code config} for a Berth process on {@code dataDir}: unchanged unless
   * the run selects the shared backends and the file names none of its own; then a copy whose
   * {@code storage} section keeps its limits and switches and adds the backends of {@code dataDir}.
   */
  public static Path onSharedBackends(Path config, Path dataDir) throws IOException {
    if (!selected()) {
      return config;
    }
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    JsonNode read = yaml.readTree(config.toFile());
    ObjectNode root = read instanceof ObjectNode o ? o : yaml.createObjectNode();
    if (root.path("storage").path("backend").asText("filesystem").equals("shared")) {
      return config;
    }
    JsonNode backends = yaml.readTree("storage:\n" + yaml(backendsOf(dataDir)));
    JsonNode storage = root.path("storage");
    ObjectNode merged = storage instanceof ObjectNode o ? o : yaml.createObjectNode();
    merged.setAll((ObjectNode) backends.path("storage"));
    root.set("storage", merged);
    Path copy = Files.createTempFile(config.toAbsolutePath().getParent(), "shared-", ".yaml");
    yaml.writeValue(copy.toFile(), root);
    return copy;
  }

  /**
   * {@code --config FILE} naming the shared backends of {@code dataDir} for a {@code berth} command
   * that works on storage ({@code import}), when the run selects them; nothing otherwise.
   */
  public static java.util.List<String> configArgs(Path dataDir) throws IOException {
    if (!selected()) {
      return java.util.List.of();
    }
    Path file = Files.createTempFile("berth-shared-", ".yaml");
    Files.writeString(file, "storage:\n" + yaml(backendsOf(dataDir)));
    return java.util.List.of("--config", file.toString());
  }

  /**
   * Whether the Berth on {@code dataDir} keeps {@code digest} (with or without its algorithm)
   * pinned (never evicted): a marker in the data directory, or a pinned row in its database when
   * the run selects the shared backends.
   */
  public static boolean pinned(Path dataDir, String digest) {
    if (!selected()) {
      String hex = digest.substring(digest.indexOf(':') + 1);
      return Files.exists(dataDir.resolve("pins/sha256/" + hex.substring(0, 2) + "/" + hex));
    }
    DatabaseConfig db = java.util.Objects.requireNonNull(backendsOf(dataDir).database());
    try (java.sql.Connection c = java.sql.DriverManager.getConnection(db.url(), Postgres.USER, "");
        java.sql.PreparedStatement s =
            c.prepareStatement("SELECT pinned FROM blobs WHERE digest = ?")) {
      s.setString(1, digest.contains(":") ? digest : "sha256:" + digest);
      try (java.sql.ResultSet r = s.executeQuery()) {
        return r.next() && r.getBoolean(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the blobs of " + db.url(), e);
    }
  }

  /** The storage section of {@code storage}, as YAML lines indented under {@code storage:}. */
  public static String yaml(StorageConfig storage) {
    ObjectStoreConfig o = java.util.Objects.requireNonNull(storage.objectStore());
    DatabaseConfig d = java.util.Objects.requireNonNull(storage.database());
    return String.join(
        "\n",
        "  backend: shared",
        "  objectStore:",
        "    endpoint: " + o.endpoint(),
        "    region: " + o.region(),
        "    bucket: " + o.bucket(),
        "    prefix: " + o.prefix(),
        "    pathStyle: true",
        "    credentials:",
        "      accessKeyId: " + S3Server.ACCESS_KEY,
        "      secretAccessKey: " + S3Server.SECRET_KEY,
        "  database:",
        "    url: " + d.url(),
        "    user: " + d.user(),
        "    poolSize: " + d.poolSize(),
        "");
  }
}
