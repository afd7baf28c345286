package dev.berth.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  private final ConfigLoader loader = new ConfigLoader(Map.of("REGISTRY", "127.0.0.1:5001")::get);

  private BerthConfig parse(String yaml) {
    return loader.parse("berth.yaml", new StringReader(yaml));
  }

  @Test
  void embeddedDefaultsMatchTheReference() {
    BerthConfig config = BerthConfig.defaults();
    assertThat(config.listen()).hasToString("127.0.0.1:5000");
    assertThat(config.dataDir()).isEqualTo(Path.of("berth-data"));
    assertThat(config.cache().tagTtl()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.cache().staleIfError()).isEqualTo(Duration.ofDays(7));
    assertThat(config.cache().notFoundTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.upstreams())
        .extracting(u -> u.name().text())
        .containsExactly(
            "docker.io",
            "ghcr.io",
            "gcr.io",
            "*.gcr.io",
            "*-docker.pkg.dev",
            "quay.io",
            "registry.k8s.io",
            "public.ecr.aws",
            "mcr.microsoft.com");
    assertThat(config.upstreamFor("docker.io").orElseThrow().endpointsFor("docker.io"))
        .extracting(Endpoint::toString)
        .containsExactly("https://registry-1.docker.io");
    assertThat(config.upstreams()).noneMatch(UpstreamConfig::push);
    assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void forwardingIsSyncUnlessAskedAndItsSettingsAreRead() {
    BerthConfig config =
        parse(
            """
            defaultUpstream: a.io
            storage:
              allowDelete: true
            forwarding:
              deadline: 2h
              workers: 8
              parallelUploads: 2
              retention: 30m
            upstreams:
              - name: a.io
                push: true
                forwarding: async
              - name: b.io
                push: true
            """);
    assertThat(config.upstreamFor("a.io").orElseThrow().forwarding())
        .isEqualTo(UpstreamConfig.ForwardMode.ASYNC);
    assertThat(config.upstreamFor("b.io").orElseThrow().forwarding())
        .isEqualTo(UpstreamConfig.ForwardMode.SYNC);
    assertThat(config.forwarding())
        .isEqualTo(new ForwardingConfig(Duration.ofHours(2), 8, 2, Duration.ofMinutes(30)));
    assertThat(config.storage().allowDelete()).isTrue();
    assertThat(BerthConfig.defaults().storage().allowDelete()).isFalse();
    assertThat(BerthConfig.defaults().forwarding())
        .isEqualTo(new ForwardingConfig(Duration.ofHours(24), 4, 4, Duration.ofHours(24)));
  }

  @Test
  void offlineProxyTlsAndPrefetchAreRead() {
    BerthConfig config =
        parse(
            """
            offline: true
            proxy:
              url: http://proxy.example:3128
              noProxy: [.internal.example, LOCALHOST]
            prefetch:
              images: ["alpine:3.20 linux/arm64"]
              interval: 2h
            cache:
              siblingPlatforms: []
            upstreams:
              - name: docker.io
                firstByteTimeout: 5s
                tls:
                  ca: /etc/berth/ca.pem
            """);
    UpstreamConfig hub = config.upstreamFor("docker.io").orElseThrow();
    assertThat(config.isOffline(hub)).isTrue();
    assertThat(hub.firstByteTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(hub.tls().ca()).isEqualTo(Path.of("/etc/berth/ca.pem"));
    assertThat(config.proxy().bypasses("registry.internal.example")).isTrue();
    assertThat(config.proxy().bypasses("localhost")).isTrue();
    assertThat(config.proxy().bypasses("registry-1.docker.io")).isFalse();
    assertThat(config.prefetch().interval()).isEqualTo(Duration.ofHours(2));
    assertThat(config.prefetch().reservePulls()).isEqualTo(10);
    assertThat(config.cache().siblingPlatforms()).isEmpty();
    assertThat(BerthConfig.defaults().cache().siblingPlatforms())
        .containsExactly("linux/amd64", "linux/arm64");
    assertThat(BerthConfig.defaults().isOffline(hub.withCredentials(hub.credentials()))).isFalse();
  }

  @Test
  void emptyFileIsTheDefaults() {
    assertThat(parse("")).isEqualTo(BerthConfig.defaults());
  }

  @Test
  void readsEveryKey() {
    BerthConfig config =
        parse(
            """
            listen: 0.0.0.0:6000
            dataDir: /var/lib/berth
            storage:
              diskBudget: 100MiB
            cache:
              tagTtl: 1m
              staleIfError: 1d
              notFoundTtl: 5s
            defaultUpstream: ${REGISTRY}
            localPrefixes: [team/internal]
            shutdownGrace: 5s
            upstreams:
              - name: ${REGISTRY}
                endpoints: ["http://${REGISTRY}"]
                tagTtl: 2s
                connectTimeout: 1s
                idleTimeout: 3s
                maxAttempts: 2
                push: true
              - name: "*.gcr.io"
            """);
    assertThat(config.listen()).isEqualTo(new HostPort("0.0.0.0", 6000));
    assertThat(config.storage().diskBudget().bytes()).isEqualTo(100L << 20);
    assertThat(config.cache().notFoundTtl()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.defaultUpstream()).isEqualTo("127.0.0.1:5001");
    UpstreamConfig up = config.upstreamFor("127.0.0.1:5001").orElseThrow();
    assertThat(up.endpoints())
        .extracting(Endpoint::toString)
        .containsExactly("http://127.0.0.1:5001");
    assertThat(up.tagTtl()).isEqualTo(Duration.ofSeconds(2));
    assertThat(up.maxAttempts()).isEqualTo(2);
    assertThat(up.push()).isTrue();
    assertThat(config.upstreamFor("eu.gcr.io").orElseThrow().endpointsFor("eu.gcr.io"))
        .extracting(Endpoint::toString)
        .containsExactly("https://eu.gcr.io");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          bad endpoint         | upstreams:\\n  - name: a.io\\n  - name: b.io\\n    endpoints:\\n      - htp:/x | berth.yaml:5: upstreams[1].endpoints[0]: not a URL: "htp:/x"
          bad listen           | listen: nowhere                                              | berth.yaml:1: listen: not a listen address: "nowhere"
          unknown key          | cache:\\n  tagTTL: 1m                                         | berth.yaml:2: cache.tagTTL: unknown key "tagTTL"
          bad duration         | cache:\\n  tagTtl: soon                                       | berth.yaml:2: cache.tagTtl: not a duration: "soon"
          bad size             | storage:\\n  diskBudget: lots                                 | berth.yaml:2: storage.diskBudget: not a size: "lots"
          bad host             | upstreams:\\n  - name: "https://x.io"                          | berth.yaml:2: upstreams[0].name: not a registry host or host pattern
          duplicate upstream   | upstreams:\\n  - name: a.io\\n  - name: a.io                   | berth.yaml:3: upstreams[1].name: duplicate upstream: "a.io"
          unknown default      | defaultUpstream: nope.io                                     | berth.yaml:1: defaultUpstream: "nope.io" is not the name of a configured upstream host
          pattern endpoints    | upstreams:\\n  - name: "*.gcr.io"\\n    endpoints: [http://x.io] | berth.yaml:2: upstreams[0]: a host pattern takes no endpoints
          bad boolean          | upstreams:\\n  - name: a.io\\n    push: maybe                  | berth.yaml:3: upstreams[0].push:
          unset variable       | listen: ${NOPE}                                              | berth.yaml:1: listen: environment variable NOPE is not set
          not yaml             | listen: [unclosed                                            | berth.yaml:1: not valid YAML
          attempts out of range| upstreams:\\n  - name: a.io\\n    maxAttempts: 0               | berth.yaml:2: upstreams[0]: maxAttempts: 0 (expected: 1-10)
          unknown source       | upstreams:\\n  - name: a.io\\n    credentials:\\n      source: vault | berth.yaml:4: upstreams[0].credentials.source: unknown source "vault"
          password alone       | upstreams:\\n  - name: a.io\\n    credentials:\\n      password: pw-1 | berth.yaml:3: upstreams[0].credentials: password needs a username
          inline with none     | upstreams:\\n  - name: a.io\\n    credentials:\\n      source: none\\n      username: u\\n      password: p | berth.yaml:3: upstreams[0].credentials: username, password and identityToken are used with source inline or auto, not none
          empty file reference | upstreams:\\n  - name: a.io\\n    credentials:\\n      username: u\\n      password: "file:" | berth.yaml:5: upstreams[0].credentials.password: file: names no file
          unknown forwarding   | upstreams:\\n  - name: a.io\\n    forwarding: later          | berth.yaml:3: upstreams[0].forwarding: unknown forwarding mode "later" (expected: sync or async)
          workers out of range | forwarding:\\n  workers: 0                                  | berth.yaml:1: forwarding: workers: 0 (expected: 1-64)
          zero deadline        | forwarding:\\n  deadline: 0s                                | berth.yaml:1: forwarding: deadline must be positive
          socks proxy          | proxy:\\n  url: socks5://p.example:1080                  | berth.yaml:1: proxy: url: only http:// proxies are supported
          portless proxy       | proxy:\\n  url: http://p.example                          | berth.yaml:1: proxy: url: a proxy needs a host and a port
          half a client cert   | upstreams:\\n  - name: a.io\\n    tls:\\n      certificate: c.pem | berth.yaml:3: upstreams[0].tls: a client certificate needs both certificate and key
          ca and no verify     | upstreams:\\n  - name: a.io\\n    tls:\\n      ca: ca.pem\\n      insecureSkipVerify: true | berth.yaml:3: upstreams[0].tls: give either ca or insecureSkipVerify, not both
          bad sibling platform | cache:\\n  siblingPlatforms: [arm64]                      | berth.yaml:1: cache: siblingPlatforms: not a platform: "arm64"
          negative reserve     | prefetch:\\n  reservePulls: -1                             | berth.yaml:1: prefetch: reservePulls must not be negative
          bad allowDelete      | storage:\\n  allowDelete: sometimes                        | berth.yaml:2: storage.allowDelete:
          unknown backend      | storage:\\n  backend: s3                                    | berth.yaml:2: storage.backend: unknown backend "s3" (expected: filesystem or shared)
          shared alone         | storage:\\n  backend: shared                                | berth.yaml:1: storage: backend shared needs objectStore and database
          shared on filesystem | storage:\\n  database:\\n    url: jdbc:postgresql://db/berth\\n    user: berth | berth.yaml:1: storage: objectStore and database are used with backend shared, not filesystem
          no bucket            | storage:\\n  objectStore:\\n    region: eu-west-1         | berth.yaml:2: storage.objectStore: bucket is required
          bad prefix           | storage:\\n  objectStore:\\n    bucket: b\\n    prefix: cache | berth.yaml:2: storage.objectStore: prefix: "cache" must end with /
          bad endpoint scheme  | storage:\\n  objectStore:\\n    bucket: b\\n    endpoint: ftp://s3.example | berth.yaml:2: storage.objectStore: endpoint: not an http:// or https:// URL
          half the keys        | storage:\\n  objectStore:\\n    bucket: b\\n    credentials:\\n      accessKeyId: AKIA1 | berth.yaml:4: storage.objectStore.credentials: source inline needs accessKeyId and secretAccessKey
          keys with default    | storage:\\n  objectStore:\\n    bucket: b\\n    credentials:\\n      source: default\\n      accessKeyId: AKIA1\\n      secretAccessKey: s | berth.yaml:4: storage.objectStore.credentials: accessKeyId and secretAccessKey are used with source inline, not default
          not a jdbc url       | storage:\\n  database:\\n    url: postgres://db/berth\\n    user: berth | berth.yaml:2: storage.database: url: "postgres://db/berth" is not a PostgreSQL JDBC URL
          pool out of range    | storage:\\n  database:\\n    url: jdbc:postgresql://db/berth\\n    user: berth\\n    poolSize: 0 | berth.yaml:2: storage.database: poolSize: 0 (expected: 1-100)
          """)
  void errorsNameTheLineAndTheKey(String what, String yaml, String expected) {
    assertThatThrownBy(() -> parse(yaml.replace("\\n", "\n")))
        .as(what)
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(expected);
  }

  @Test
  void theSharedBackendNamesItsBucketAndDatabaseAndNeverShowsTheirSecrets() {
    ConfigLoader loader =
        new ConfigLoader(Map.of("S3_SECRET", "s3-s3cret-key", "PG_PASSWORD", "pg-s3cret")::get);
    BerthConfig cfg =
        loader.parse(
            "berth.yaml",
            new StringReader(
                """
                storage:
                  backend: shared
                  diskBudget: 500GiB
                  localTier: 20GiB
                  objectStore:
                    endpoint: https://storage.googleapis.com
                    region: auto
                    bucket: build-cache
                    prefix: berth/
                    pathStyle: true
                    credentials:
                      accessKeyId: GOOG1EXAMPLE
                      secretAccessKey: ${S3_SECRET}
                  database:
                    url: jdbc:postgresql://db.internal:5432/berth?sslmode=require&password=inurl
                    user: berth
                    password: ${PG_PASSWORD}
                    poolSize: 20
                """));
    StorageConfig storage = cfg.storage();
    assertThat(storage.shared()).isTrue();
    assertThat(storage.localTier().bytes()).isEqualTo(20L << 30);
    ObjectStoreConfig bucket = storage.objectStore();
    assertThat(bucket).isNotNull();
    assertThat(bucket.endpoint()).hasToString("https://storage.googleapis.com");
    assertThat(bucket.region()).isEqualTo("auto");
    assertThat(bucket.prefix()).isEqualTo("berth/");
    assertThat(bucket.pathStyle()).isTrue();
    assertThat(bucket.credentials().source())
        .isEqualTo(ObjectStoreConfig.Credentials.Source.INLINE);
    DatabaseConfig db = storage.database();
    assertThat(db).isNotNull();
    assertThat(db.poolSize()).isEqualTo(20);
    assertThat(db.user()).isEqualTo("berth");
    assertThat(cfg.toString()).doesNotContain("s3-s3cret-key", "pg-s3cret", "inurl");

    StorageConfig defaults = BerthConfig.defaults().storage();
    assertThat(defaults.backend()).isEqualTo(StorageConfig.Backend.FILESYSTEM);
    assertThat(defaults.objectStore()).isNull();
    assertThat(defaults.database()).isNull();
  }

  @Test
  void credentialsTakeEnvironmentAndFileReferencesAndNeverShowThem() {
    ConfigLoader withSecret =
        new ConfigLoader(Map.of("HUB_PAT", "dckr_pat_s3cret", "HUB_USER", "alice")::get);
    BerthConfig cfg =
        withSecret.parse(
            "berth.yaml",
            new StringReader(
                """
                upstreams:
                  - name: docker.io
                    credentials:
                      username: ${HUB_USER}
                      password: ${HUB_PAT}
                  - name: ghcr.io
                    credentials:
                      source: docker
                      dockerConfig: /etc/berth/docker
                  - name: "*-docker.pkg.dev"
                    credentials:
                      source: google
                  - name: quay.io
                    credentials:
                      identityToken: file:/run/secrets/quay
                """));
    CredentialsConfig hub = cfg.upstreams().get(0).credentials();
    assertThat(hub.username()).isEqualTo("alice");
    assertThat(hub.source()).isEqualTo(CredentialsConfig.Source.AUTO);
    assertThat(hub.password().origin()).isEqualTo("inline");
    assertThat(cfg.toString()).doesNotContain("dckr_pat_s3cret");
    assertThat(cfg.upstreams().get(1).credentials().dockerConfig())
        .isEqualTo(Path.of("/etc/berth/docker"));
    assertThat(cfg.upstreams().get(2).credentials().source())
        .isEqualTo(CredentialsConfig.Source.GOOGLE);
    assertThat(cfg.upstreams().get(3).credentials().identityToken().origin())
        .isEqualTo("file:/run/secrets/quay");
    assertThat(BerthConfig.defaults().upstreams())
        .allSatisfy(u -> assertThat(u.credentials()).isEqualTo(CredentialsConfig.AUTO));
  }

  @Test
  void aSecretFileIsReadWhenNeeded(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("pat"), "first\n");
    Secret secret = Secret.of("file:" + file);
    assertThat(secret.reveal()).isEqualTo("first");
    Files.writeString(file, "rotated\n");
    assertThat(secret.reveal()).isEqualTo("rotated");
    assertThat(secret.toString()).doesNotContain("rotated");
  }

  @Test
  void documentedExampleLoads() {
    BerthConfig example =
        new ConfigLoader(Map.<String, String>of()::get).load(Path.of("../docs/berth.example.yaml"));
    assertThat(example.upstreams()).isEqualTo(BerthConfig.defaults().upstreams());
    assertThat(example.cache()).isEqualTo(BerthConfig.defaults().cache());
    assertThat(example.storage().diskBudget().bytes()).isEqualTo(50L << 30);
  }

  @Test
  void variablesTakeTheirDefault() {
    assertThat(parse("listen: ${UNSET_PORT:-127.0.0.1:7000}").listen().port()).isEqualTo(7000);
  }

  @Test
  void loadNamesTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("site.yaml");
    Files.writeString(file, "# comment\nlisten: 127.0.0.1:5000\ndataDir: 7\nbogus: 1\n");
    assertThatThrownBy(() -> loader.load(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("site.yaml:4: bogus: unknown key \"bogus\"");
    assertThatThrownBy(() -> loader.load(dir.resolve("missing.yaml")))
        .hasMessageEndingWith("missing.yaml: no such file");
  }
}
