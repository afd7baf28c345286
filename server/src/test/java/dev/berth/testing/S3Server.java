package dev.berth.testing;

import dev.berth.objectstore.BucketSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server: s3proxy from Maven Central on a filesystem backend, as a separate process
 * (its libraries never meet Berth's), answering signed requests on a loopback port. It can be
 * stopped and started again on the same port and data, for failure tests.
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "berth-test";
  public static final String SECRET_KEY = "berth-test-secret-key";

  private final Path dir;
  private final int port;
  private final Path log;
  private Process process;

  private S3Server(Path dir, int port) throws IOException {
    this.dir = dir;
    this.port = port;
    this.log = dir.resolve("s3proxy.log");
    this.process = launch();
  }

  /** Starts a server that keeps its objects under {@code dir}; waits until it answers. */
  public static S3Server start(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("data"));
    return new S3Server(dir, Ports.free());
  }

  /** The s3proxy jar with its dependencies, which the build copies and names in a property. */
  static Path jar() {
    String jar = System.getProperty("berth.s3proxy.jar");
    if (jar == null || !Files.exists(Path.of(jar))) {
      throw new AssertionError(
          "the s3proxy jar is missing (berth.s3proxy.jar=" + jar + "): run ./mvnw verify");
    }
    return Path.of(jar);
  }

  private Process launch() throws IOException {
    Path properties = dir.resolve("s3proxy.properties");
    Files.writeString(
        properties,
        String.join(
            "\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY,
            "s3proxy.credential=" + SECRET_KEY,
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + dir.resolve("data"),
            ""),
        StandardCharsets.UTF_8);
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-cp",
                    jar().toString(),
                    "org.gaul.s3proxy.Main",
                    "--properties",
                    properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    awaitAnswer(p);
    return p;
  }

  /** Waits until the server answers: an unsigned request is refused with 403. */
  private void awaitAnswer(Process p) {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest probe = HttpRequest.newBuilder(endpoint()).build();
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(
              () ->
                  !p.isAlive()
                      || http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode()
                          == 403);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("s3proxy did not answer:\n" + log());
    }
    if (!p.isAlive()) {
      throw new AssertionError("s3proxy exited:\n" + log());
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** Creates a new bucket, named at random; returns settings for it with {@code prefix}. */
  public BucketSettings newBucket(String prefix) {
    String name = "berth-" + UUID.randomUUID().toString().substring(0, 8);
    try (S3Client s3 = client()) {
      s3.createBucket(r -> r.bucket(name));
    }
    return settings(name, prefix);
  }

  /** Settings for bucket {@code name}, signed with this server's keys. */
  public BucketSettings settings(String name, String prefix) {
    return new BucketSettings(
        endpoint(),
        "us-east-1",
        name,
        prefix,
        true,
        new BucketSettings.Credentials.Keys(ACCESS_KEY, dev.berth.config.Secret.of(SECRET_KEY)));
  }

  /** A client of this server, for tests that look into a bucket. */
  public S3Client client() {
    return S3Client.builder()
        .endpointOverride(endpoint())
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .httpClient(
            software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder().build())
        .build();
  }

  /** Stops the server; its objects stay for {@link #restart()}. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** Whether the server's process is running. */
  public boolean running() {
    return process.isAlive();
  }

  /** Starts the server again on the same port and objects. */
  public void restart() throws IOException {
    process = launch();
  }

  /** What the server printed so far. */
  public String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    stop();
  }
}
