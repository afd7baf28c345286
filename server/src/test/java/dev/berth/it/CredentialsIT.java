package dev.berth.it;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.berth.testing.Berth;
import dev.berth.testing.BerthProcess;
import dev.berth.testing.BlobClient;
import dev.berth.testing.CapturedLogs;
import dev.berth.testing.Cmd;
import dev.berth.testing.GoogleTokenEndpoint;
import dev.berth.testing.Registry;
import dev.berth.testing.RegistryClient;
import dev.berth.testing.Relay;
import dev.berth.testing.TestImages;
import dev.berth.testing.TokenServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Credentials toward an upstream that requires them: a real Distribution registry in token-auth
 * mode whose token server issues tokens living 3 seconds, and only to the right credentials. Berth
 * must mint and re-mint tokens itself, whatever the idle time, pull length or revocation, and must
 * never show a secret. The last test reads every log line, metric and error body of the others.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CredentialsIT {
  private static final String PASSWORD = "pat-s3cret-" + System.nanoTime();
  private static final String IDENTITY_TOKEN = "refresh-s3cret-" + System.nanoTime();
  private static final String WRONG_PASSWORD = "wrong-s3cret-" + System.nanoTime();

  /** Berth's own loggers at their most verbose, the libraries' at DEBUG (TRACE dumps bytes). */
  private static final Map<String, Level> VERBOSE =
      Map.of(
          Logger.ROOT_LOGGER_NAME,
          Level.DEBUG,
          "com.linecorp.armeria",
          Level.DEBUG,
          "io.netty",
          Level.DEBUG,
          "dev.berth",
          Level.TRACE,
          "berth.access",
          Level.TRACE);

  @TempDir static Path dir;
  static TokenServer tokens;
  static GoogleTokenEndpoint google;
  static Registry registry;
  static Relay relay;
  static List<String> slow = new ArrayList<>();
  static List<String> many = new ArrayList<>();
  static CapturedLogs logs;
  static final Map<String, Level> levels = new HashMap<>();
  static final List<String> metricsAndErrors = new CopyOnWriteArrayList<>();
  static final List<String> processLogs = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    VERBOSE.forEach(
        (name, level) -> {
          Logger logger = (Logger) LoggerFactory.getLogger(name);
          levels.put(name, logger.getLevel());
          logger.setLevel(level);
        });
    logs = new CapturedLogs();
    tokens = new TokenServer(dir, 3);
    google = new GoogleTokenEndpoint(dir, 5);
    registry = Registry.startWithTokenAuth(tokens);
    relay = new Relay(registry.url());
    RegistryClient pusher =
        registry.client().withBearer(tokens.tokenFor("repository:library/app:pull,push"));
    TestImages.pushMultiArch(pusher, "library/app", "1");
    TestImages.pushMultiArch(
        registry.client().withBearer(tokens.tokenFor("repository:library/app2:pull,push")),
        "library/app2",
        "1");
    RegistryClient slowPusher =
        registry.client().withBearer(tokens.tokenFor("repository:library/slow:pull,push"));
    for (int i = 0; i < 4; i++) {
      slow.add(TestImages.pushRandomBlob(slowPusher, "library/slow", dir, 1 << 20, 300 + i));
    }
    RegistryClient manyPusher =
        registry.client().withBearer(tokens.tokenFor("repository:library/many:pull,push"));
    for (int i = 0; i < 40; i++) {
      many.add(TestImages.pushRandomBlob(manyPusher, "library/many", dir, 8 << 10, 400 + i));
    }
    // From here on, tokens only for the right password, identity token or Google access token.
    tokens
        .requireBasic(
            userPass ->
                userPass.equals("alice:" + PASSWORD)
                    || (userPass.startsWith("oauth2accesstoken:")
                        && google.isValid(userPass.substring("oauth2accesstoken:".length()))))
        .acceptRefreshToken(IDENTITY_TOKEN);
  }

  @AfterAll
  static void stop() {
    logs.close();
    levels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
    levels.clear();
    relay.close();
    registry.close();
    google.close();
    tokens.close();
  }

  @Test
  @Order(1)
  void pullAfterItsTokensExpiredGetsANewTokenBeforeAnyRequestIsRefused(@TempDir Path out)
      throws Exception {
    try (Berth berth = Berth.start(out.resolve("data"), inline("alice", PASSWORD))) {
      Cmd.skopeoCopyAll(berth.address(), "library/app:1", out.resolve("first"));
      int issued = tokens.issued().size();
      int answered = relay.answers().size();
      tokens.awaitEveryTokenExpired();
      Cmd.skopeoCopyAll(berth.address(), "library/app2:1", out.resolve("second"));
      assertThat(tokens.issued().size())
          .as("tokens minted after the idle time")
          .isGreaterThan(issued);
      assertThat(relay.answers().get(answered))
          .as("the first request after the idle time carried a new token, not the dead one")
          .doesNotEndWith("401");
      scrape(berth);
    }
  }

  @Test
  @Order(2)
  void pullLongerThanThreeTokenLifetimesSucceeds(@TempDir Path out) throws Exception {
    relay.throttleBlobs(300 << 10);
    try (Berth berth = Berth.start(out.resolve("data"), inline("alice", PASSWORD))) {
      BlobClient client = new BlobClient("http://" + berth.address());
      int issued = tokens.issued().size();
      long start = System.nanoTime();
      for (String digest : slow) {
        BlobClient.Download d = client.get("/v2/library/slow/blobs/" + digest);
        assertThat(d.error()).as("download of %s", digest).isNull();
        assertThat(d.status()).isEqualTo(200);
        assertThat(d.digest()).isEqualTo(digest);
      }
      assertThat(System.nanoTime() - start)
          .as("longer than 3 lifetimes")
          .isGreaterThan(9_000_000_000L);
      assertThat(tokens.issued().size() - issued)
          .as("each blob request started after the previous token died")
          .isGreaterThanOrEqualTo(slow.size());
      scrape(berth);
    } finally {
      relay.throttleBlobs(0);
    }
  }

  @Test
  @Order(3)
  void revokedTokenIsReplacedAndTheClientNeverSeesTheRefusal(@TempDir Path out) throws Exception {
    try (Berth berth = Berth.start(out.resolve("data"), inline("alice", PASSWORD))) {
      BlobClient client = new BlobClient("http://" + berth.address());
      assertThat(client.get("/v2/library/many/blobs/" + many.get(0)).status()).isEqualTo(200);
      int issued = tokens.issued().size();
      relay.revokeNextToken(
          "Bearer realm=\""
              + tokens.realm()
              + "\",service=\"berth-test-registry\",scope=\"repository:library/many:pull\","
              + "error=\"invalid_token\"");
      BlobClient.Download d = client.get("/v2/library/many/blobs/" + many.get(1));
      assertThat(d.status()).isEqualTo(200);
      assertThat(d.digest()).isEqualTo(many.get(1));
      assertThat(relay.answers()).anyMatch(a -> a.contains("401 (revoked)"));
      assertThat(tokens.issued().size())
          .as("a token minted after the refusal")
          .isGreaterThan(issued);
      scrape(berth);
    }
  }

  @Test
  @Order(4)
  void thirtyTwoConcurrentBlobPullsCauseOneTokenRequest(@TempDir Path out) throws Exception {
    try (Berth berth = Berth.start(out.resolve("data"), inline("alice", PASSWORD))) {
      BlobClient client = new BlobClient("http://" + berth.address());
      int issued = tokens.issued().size();
      ExecutorService pool = Executors.newFixedThreadPool(32);
      try {
        List<Future<BlobClient.Download>> pulls = new ArrayList<>();
        for (String digest : many.subList(8, 40)) {
          pulls.add(pool.submit(() -> client.get("/v2/library/many/blobs/" + digest)));
        }
        for (int i = 0; i < pulls.size(); i++) {
          BlobClient.Download d = pulls.get(i).get();
          assertThat(d.status()).isEqualTo(200);
          assertThat(d.digest()).isEqualTo(many.get(8 + i));
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(tokens.issued().size() - issued).isEqualTo(1);
      scrape(berth);
    }
  }

  @Test
  @Order(5)
  void dockerConfigAuthsWithPasswordAndWithIdentityToken(@TempDir Path out) throws Exception {
    String authority = URI.create(relay.url()).getAuthority();
    Path withAuth =
        dockerConfig(
            out.resolve("auth"),
            "{\"auths\":{\"http://%s\":{\"auth\":\"%s\"}}}"
                .formatted(authority, base64("alice:" + PASSWORD)));
    try (Berth berth = Berth.start(out.resolve("d1"), dockerSource(withAuth))) {
      pullBlob(berth, many.get(2));
      assertThat(tokens.grants()).last().isEqualTo("get-basic");
      scrape(berth);
    }
    Path withToken =
        dockerConfig(
            out.resolve("token"),
            "{\"auths\":{\"%s\":{\"auth\":\"%s\",\"identitytoken\":\"%s\"}}}"
                .formatted(authority, base64("alice:"), IDENTITY_TOKEN));
    try (Berth berth = Berth.start(out.resolve("d2"), dockerSource(withToken))) {
      pullBlob(berth, many.get(3));
      assertThat(tokens.grants()).last().isEqualTo("post-refresh_token");
      scrape(berth);
    }
    // A token server without OAuth2 POST: the identity token goes by GET instead.
    tokens.refusePost(true);
    try (Berth berth = Berth.start(out.resolve("d3"), dockerSource(withToken))) {
      pullBlob(berth, many.get(4));
      assertThat(tokens.grants()).last().isEqualTo("get-basic");
      scrape(berth);
    } finally {
      tokens.refusePost(false);
    }
  }

  @Test
  @Order(6)
  void credentialHelperOnPathAndCredsCheck(@TempDir Path out) throws Exception {
    String authority = URI.create(relay.url()).getAuthority();
    Path bin = Files.createDirectories(out.resolve("bin"));
    Path calls = out.resolve("helper-calls");
    Path helper = bin.resolve("docker-credential-berthtest");
    Files.writeString(
        helper,
        """
        #!/bin/sh
        read server
        echo "$1 $server" >> %s
        [ "$1" = get ] || exit 1
        printf '{"ServerURL":"%%s","Username":"alice","Secret":"%s"}' "$server"
        """
            .formatted(calls, PASSWORD));
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dockerDir =
        dockerConfig(
            out.resolve("docker"), "{\"credHelpers\":{\"%s\":\"berthtest\"}}".formatted(authority));
    Map<String, String> env =
        Map.of("PATH", bin + ":" + System.getenv("PATH"), "DOCKER_CONFIG", dockerDir.toString());
    // No credentials section: auto finds $DOCKER_CONFIG and its helper.
    Path config = Files.writeString(out.resolve("berth.yaml"), Berth.dockerHubAt(relay.url(), ""));
    try (BerthProcess berth = BerthProcess.serve(List.of(), config, out.resolve("data"), env)) {
      BlobClient client = new BlobClient("http://" + berth.address());
      BlobClient.Download d = client.get("/v2/library/many/blobs/" + many.get(5));
      assertThat(d.status()).isEqualTo(200);
      assertThat(d.digest()).isEqualTo(many.get(5));
      assertThat(Files.readString(calls)).contains("get " + authority);
      metricsAndErrors.add(get("http://" + berth.address() + "/metrics").body());
      processLogs.add(berth.log());
    }

    Cmd.Result ok = creds(env, config);
    System.out.println("berth creds check: exit " + ok.exit() + "\n" + ok.out() + ok.err());
    assertThat(ok.exit()).as(ok.out() + ok.err()).isZero();
    assertThat(ok.out())
        .contains("docker.io: ok")
        .contains("docker-credential-berthtest")
        .contains("repository:library/alpine:pull lives 3s");

    Path wrong = Files.writeString(out.resolve("wrong.yaml"), inline("alice", WRONG_PASSWORD));
    Cmd.Result failed = creds(env, wrong);
    System.out.println(
        "berth creds check: exit " + failed.exit() + "\n" + failed.out() + failed.err());
    assertThat(failed.exit()).as(failed.out() + failed.err()).isEqualTo(1);
    assertThat(failed.out() + failed.err())
        .contains("docker.io: FAILED")
        .contains("refused the credentials")
        .contains("fix this upstream's credentials")
        .doesNotContain(WRONG_PASSWORD);
    processLogs.add(ok.out() + ok.err() + failed.out() + failed.err());
  }

  @Test
  @Order(7)
  void wrongPasswordGivesAClearErrorWithoutTheSecret(@TempDir Path out) throws Exception {
    long warned = logs.lines().stream().filter(l -> l.contains("cannot get a token")).count();
    try (Berth berth = Berth.start(out.resolve("data"), inline("alice", WRONG_PASSWORD))) {
      for (int i = 6; i < 9; i++) {
        HttpResponse<String> res =
            get("http://" + berth.address() + "/v2/library/many/blobs/" + many.get(i));
        assertThat(res.statusCode()).isEqualTo(403);
        assertThat(res.body())
            .contains("DENIED")
            .contains("token server")
            .contains("refused the credentials");
        metricsAndErrors.add(res.body());
      }
      assertThat(logs.lines().stream().filter(l -> l.contains("cannot get a token")).count())
          .as("the failure is logged once, not per request")
          .isEqualTo(warned + 1);
      HttpResponse<String> ready = get("http://" + berth.address() + "/readyz");
      assertThat(ready.body()).contains("upstream docker.io").contains("refused the credentials");
      metricsAndErrors.add(ready.body());
      String metrics = get("http://" + berth.address() + "/metrics").body();
      assertThat(metrics)
          .contains(
              "berth_upstream_token_requests_total{result=\"refused\",upstream=\"docker.io\"}");
      metricsAndErrors.add(metrics);
    }
  }

  @Test
  @Order(8)
  void googleServiceAccountAccessTokensAcrossSeveralExpiries(@TempDir Path out) throws Exception {
    Path key = google.keyFile(out);
    String yaml =
        Berth.dockerHubAt(relay.url(), "")
            + "    credentials:\n      source: google\n      keyFile: \"%s\"\n".formatted(key);
    try (Berth berth = Berth.start(out.resolve("data"), yaml)) {
      int accessTokens = google.issued().size();
      for (int i = 0; i < 3; i++) {
        if (i > 0) {
          google.awaitEveryTokenExpired();
        }
        pullBlob(berth, many.get(20 + i));
      }
      assertThat(google.issued().size() - accessTokens)
          .as("a current access token for each registry token, across expiries")
          .isGreaterThanOrEqualTo(3);
      scrape(berth);
    }
  }

  @Test
  @Order(9)
  void noSecretAppearsInLogsMetricsOrErrorBodies() {
    List<String> secrets = new ArrayList<>();
    secrets.addAll(List.of(PASSWORD, IDENTITY_TOKEN, WRONG_PASSWORD));
    secrets.add(base64("alice:" + PASSWORD));
    secrets.add(base64("alice:" + WRONG_PASSWORD));
    secrets.addAll(tokens.issued());
    secrets.addAll(google.issued());
    List<String> lines = logs.lines();
    assertThat(lines).as("captured log lines").hasSizeGreaterThan(100);
    List<String> texts = new ArrayList<>(lines);
    texts.addAll(processLogs);
    texts.addAll(metricsAndErrors);
    for (String text : texts) {
      for (String secret : secrets) {
        assertThat(text).as("a log line, metric or error body").doesNotContain(secret);
      }
    }
  }

  private static String inline(String user, String password) throws Exception {
    Path secret = Files.writeString(Files.createTempFile(dir, "secret", ""), password + "\n");
    return Berth.dockerHubAt(relay.url(), "")
        + "    credentials:\n      username: %s\n      password: \"file:%s\"\n"
            .formatted(user, secret);
  }

  private static String dockerSource(Path dockerDir) {
    return Berth.dockerHubAt(relay.url(), "")
        + "    credentials:\n      source: docker\n      dockerConfig: \"%s\"\n"
            .formatted(dockerDir);
  }

  private static Path dockerConfig(Path dockerDir, String json) throws Exception {
    Files.createDirectories(dockerDir);
    Files.writeString(dockerDir.resolve("config.json"), json);
    return dockerDir;
  }

  private static void pullBlob(Berth berth, String digest) {
    BlobClient.Download d =
        new BlobClient("http://" + berth.address()).get("/v2/library/many/blobs/" + digest);
    assertThat(d.status()).isEqualTo(200);
    assertThat(d.digest()).isEqualTo(digest);
  }

  private static Cmd.Result creds(Map<String, String> env, Path config) {
    return Cmd.run(
        BerthProcess.command(
            List.of(), List.of("creds", "check", "--config", config.toString(), "docker.io")),
        env,
        120);
  }

  private static void scrape(Berth berth) throws Exception {
    String metrics = get("http://" + berth.address() + "/metrics").body();
    assertThat(metrics)
        .contains("berth_upstream_token_requests_total{result=\"success\",upstream=\"docker.io\"}")
        .contains("berth_upstream_token_oldest_age_seconds{upstream=\"docker.io\"}");
    metricsAndErrors.add(metrics);
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
