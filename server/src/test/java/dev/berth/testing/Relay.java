package dev.berth.testing;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.Server;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * An HTTP relay between Berth and a real upstream that counts every request and injects faults: a
 * flipped byte in blob bodies, or a whole answer replaced by a status. {@link #stop()} makes the
 * upstream unreachable (connections refused).
 */
public final class Relay implements AutoCloseable {
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> userAgents = new CopyOnWriteArrayList<>();
  private final List<String> ranges = new CopyOnWriteArrayList<>();
  private final List<Integer> statuses = new CopyOnWriteArrayList<>();
  private final List<String> answers = new CopyOnWriteArrayList<>();
  private final Server server;
  private final WebClient upstream;
  private final String url;
  private volatile boolean flipBlobByte;
  private volatile HttpStatus failWith;
  private volatile String redirectBlobsTo;
  private volatile boolean hang;
  private volatile byte[] manifestBody;
  private volatile String replaceAuthorization;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private volatile long bytesPerSecond;
  private volatile long uploadBytesPerSecond;
  private final AtomicLong uploadsActive = new AtomicLong();
  private final AtomicLong uploadsMax = new AtomicLong();
  private volatile long cutBlobsAfter = -1;
  private final AtomicLong cutNextBlobAfter = new AtomicLong(-1);
  private final AtomicLong uploadBytesReceived = new AtomicLong();
  private volatile int cutEvery;
  private volatile long stallBlobsAfter = -1;
  private volatile String[] rateLimit;
  private volatile long cutEveryAfter;
  private final AtomicLong blobGetsSeen = new AtomicLong();
  private final AtomicLong blobBytesSent = new AtomicLong();
  private final AtomicLong cutsMade = new AtomicLong();
  private final java.util.Set<String> revoked = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile String revokedChallenge;
  private final java.util.concurrent.atomic.AtomicBoolean revokeNext =
      new java.util.concurrent.atomic.AtomicBoolean();

  public Relay(String upstreamUrl) {
    this(upstreamUrl, null);
  }

  /** A relay serving HTTPS with {@code keys} (a certificate for 127.0.0.1), or HTTP when null. */
  public Relay(String upstreamUrl, Keys keys) {
    this(upstreamUrl, keys, null);
  }

  /** As {@link #Relay(String, Keys)}, requiring a client certificate signed by {@code clientCa}. */
  public Relay(String upstreamUrl, Keys keys, java.security.cert.X509Certificate clientCa) {
    upstream =
        WebClient.builder(upstreamUrl)
            .factory(ClientFactory.builder().build())
            .responseTimeout(Duration.ZERO)
            .maxResponseLength(0)
            .build();
    var builder = Server.builder();
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", 0);
    if (keys == null) {
      builder.http(address);
    } else {
      builder
          .https(address)
          .tls(
              com.linecorp.armeria.common.TlsKeyPair.of(
                  keys.key(), (java.security.cert.X509Certificate) keys.certificate()));
      if (clientCa != null) {
        builder.tlsCustomizer(
            ssl -> ssl.clientAuth(io.netty.handler.ssl.ClientAuth.REQUIRE).trustManager(clientCa));
      }
    }
    server =
        builder
            .requestTimeout(Duration.ZERO)
            .maxRequestLength(0)
            .serviceUnder("/", (ctx, req) -> relay(req))
            .build();
    server.start().join();
    url = (keys == null ? "http" : "https") + "://127.0.0.1:" + server.activeLocalPort();
  }

  private HttpResponse relay(HttpRequest req) {
    String line = req.method() + " " + req.path();
    requests.add(line);
    authorizations.add(req.headers().get("authorization", ""));
    userAgents.add(req.headers().get("user-agent", ""));
    ranges.add(line + "\t" + req.headers().get("range", ""));
    HttpStatus fail = failWith;
    if (fail != null) {
      return HttpResponse.of(fail);
    }
    if (hang) {
      return HttpResponse.streaming();
    }
    String auth = req.headers().get("authorization", "");
    if (auth.startsWith("Bearer ") && revokeNext.compareAndSet(true, false)) {
      revoked.add(auth.substring(7));
    }
    if (auth.startsWith("Bearer ") && revoked.contains(auth.substring(7))) {
      answers.add(line + " -> 401 (revoked)");
      statuses.add(401);
      return HttpResponse.of(
          ResponseHeaders.of(
              HttpStatus.UNAUTHORIZED,
              "www-authenticate",
              revokedChallenge,
              "content-type",
              "application/json"),
          HttpData.ofUtf8(
              "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"token revoked\"}]}"));
    }
    boolean blobGet = req.method().name().equals("GET") && req.path().contains("/blobs/sha256:");
    String redirect = redirectBlobsTo;
    // Like a registry, it checks authorization (relayed upstream) before redirecting to storage.
    if (blobGet && redirect != null && req.headers().contains("authorization")) {
      return HttpResponse.of(
          ResponseHeaders.of(HttpStatus.TEMPORARY_REDIRECT, "location", redirect + req.path()));
    }
    byte[] manifest = manifestBody;
    if (manifest != null && req.path().contains("/manifests/")) {
      return HttpResponse.of(
          ResponseHeaders.of(
              HttpStatus.OK, "content-type", "application/vnd.oci.image.manifest.v1+json"),
          HttpData.wrap(manifest));
    }
    boolean blobUpload =
        req.method().name().equals("PUT") && req.path().contains("/blobs/uploads/");
    long uploadRate = uploadBytesPerSecond;
    if (uploadRate > 0
        && (req.method().name().equals("PUT") || req.method().name().equals("PATCH"))) {
      req = BodyShaper.shape(req, uploadRate);
    }
    String bearer = replaceAuthorization;
    if (bearer != null) {
      req = req.withHeaders(req.headers().toBuilder().set("authorization", bearer));
    }
    if (blobUpload) {
      uploadsMax.accumulateAndGet(uploadsActive.incrementAndGet(), Math::max);
    }
    if ((blobUpload || req.method().name().equals("PATCH")) && uploadRate <= 0) {
      // Relayed straight, the client's body would be read on the server's event loop while
      // Armeria pauses and resumes reading it on the upstream's, a race that can leave the read
      // paused for good (the client then times out); re-sent, it is read on its own loop.
      req = BodyShaper.shape(req, 0);
    }
    if (blobUpload || req.method().name().equals("PATCH")) {
      req =
          req.mapData(
              d -> {
                uploadBytesReceived.addAndGet(d.length());
                return d;
              });
    }
    HttpResponse res =
        upstream
            .execute(req)
            .mapHeaders(
                h -> {
                  // The registry answers an upload once it has read the body: it is over.
                  if (blobUpload) {
                    uploadsActive.decrementAndGet();
                  }
                  statuses.add(h.status().code());
                  answers.add(line + " -> " + h.status().code());
                  String[] limit = rateLimit;
                  if (limit != null && line.contains("/manifests/")) {
                    return h.toBuilder()
                        .set("ratelimit-limit", limit[0])
                        .set("ratelimit-remaining", limit[1])
                        .build();
                  }
                  return h;
                });
    boolean blob = req.path().contains("/blobs/sha256:");
    if (blob && flipBlobByte) {
      AtomicLong offset = new AtomicLong();
      return res.mapData(data -> flipAt(data, offset, 1000));
    }
    long cut = cutBlobsAfter;
    if (blobGet) {
      res =
          res.mapData(
              d -> {
                blobBytesSent.addAndGet(d.length());
                return d;
              });
      long once = cutNextBlobAfter.getAndSet(-1);
      if (once >= 0) {
        cut = once;
      }
      int every = cutEvery;
      if (every > 0 && blobGetsSeen.incrementAndGet() % every == 0) {
        cutsMade.incrementAndGet();
        cut = cutEveryAfter;
      }
    }
    if (blob && (bytesPerSecond > 0 || cut >= 0)) {
      return BodyShaper.shape(res, bytesPerSecond, cut);
    }
    long stallAt = stallBlobsAfter;
    if (blobGet && stallAt >= 0) {
      return BodyShaper.shape(res, 0, stallAt, true);
    }
    if (blob) {
      // Served straight, the upstream's body would be taken on the server's event loop while
      // Armeria pauses and resumes reading it on the client's, a race that can leave the read
      // paused for good; re-sent, it is taken on its own connection's loop.
      return BodyShaper.shape(res, 0, -1);
    }
    return res;
  }

  /**
   * Answers blob GETs that carry {@code Authorization} with a redirect to the same path under
   * {@code url} (null: no redirect).
   */
  public void redirectBlobsTo(String url) {
    redirectBlobsTo = url;
  }

  /** Answers every manifest request with {@code body} (null: relay again). */
  public void answerManifestsWith(byte[] body) {
    manifestBody = body;
  }

  /**
   * Sends {@code authorization} upstream in place of what the client sent, as a signed URL of blob
   * storage stands for its own credentials (null: relay the client's).
   */
  public void replaceAuthorization(String authorization) {
    replaceAuthorization = authorization;
  }

  /** The {@code Authorization} header of each request so far ("" when absent). */
  /** The {@code User-Agent} of each request relayed, in order. */
  public List<String> userAgents() {
    return List.copyOf(userAgents);
  }

  /**
   * Each request's line and {@code Range} header (empty when it had none), separated by a tab, in
   * order.
   */
  public List<String> ranges() {
    return List.copyOf(ranges);
  }

  public List<String> authorizations() {
    return List.copyOf(authorizations);
  }

  /**
   * Revokes the token of the next request that bears one: that request and every later one with the
   * same token get {@code 401} with {@code challenge} (which should carry {@code
   * error="invalid_token"}), as a registry answers for revoked tokens.
   */
  public void revokeNextToken(String challenge) {
    revokedChallenge = challenge;
    revokeNext.set(true);
  }

  /** Accepts every request and never answers it (false: relay again). */
  public void hang(boolean on) {
    hang = on;
  }

  /** Caps blob bodies at {@code rate} bytes per second (0: no cap). */
  public void throttleBlobs(long rate) {
    bytesPerSecond = rate;
  }

  /** Caps the bodies of {@code PUT} and {@code PATCH} requests at {@code rate} bytes per second. */
  public void throttleUploads(long rate) {
    this.uploadBytesPerSecond = rate;
  }

  /** The most blob upload {@code PUT}s that were in flight at once. */
  public long maxConcurrentUploads() {
    return uploadsMax.get();
  }

  /** Cuts the body of every {@code n}th blob {@code GET} after {@code after} bytes (0: none). */
  public void cutEveryNthBlob(int n, long after) {
    this.cutEveryAfter = after;
    this.cutEvery = n;
  }

  /** Stops sending blob bodies after {@code bytes} bytes, leaving them open (-1: never). */
  public void stallBlobsAfter(long bytes) {
    this.stallBlobsAfter = bytes;
  }

  /** Adds Docker Hub's rate-limit headers to manifest answers (null: none). */
  public void rateLimit(String limit, String remaining) {
    this.rateLimit = limit == null ? null : new String[] {limit, remaining};
  }

  /** Upload body bytes ({@code PUT} and {@code PATCH} of blob uploads) received so far. */
  public long uploadBytesReceived() {
    return uploadBytesReceived.get();
  }

  /** Blob body bytes relayed so far (before any cut). */
  public long blobBytesSent() {
    return blobBytesSent.get();
  }

  /** Blob bodies cut by {@link #cutEveryNthBlob} so far. */
  public long cuts() {
    return cutsMade.get();
  }

  /** Cuts the body of the next blob {@code GET} only, after {@code bytes} bytes. */
  public void cutNextBlobAfter(long bytes) {
    cutNextBlobAfter.set(bytes);
  }

  /** Cuts every blob body after {@code bytes} bytes (-1: never). */
  public void cutBlobsAfter(long bytes) {
    cutBlobsAfter = bytes;
  }

  private static HttpData flipAt(HttpData data, AtomicLong offset, long at) {
    long start = offset.getAndAdd(data.length());
    if (at < start || at >= start + data.length()) {
      return data;
    }
    byte[] copy = data.array().clone();
    copy[(int) (at - start)] ^= 0x01;
    return HttpData.wrap(copy);
  }

  public String url() {
    return url;
  }

  /** Every request so far, as {@code METHOD /path?query}. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  /** Every answer so far, as {@code METHOD /path -> status}. */
  public List<String> answers() {
    return List.copyOf(answers);
  }

  /** How many upstream answers had {@code status}. */
  public long answered(int status) {
    return statuses.stream().filter(s -> s == status).count();
  }

  public long count(Predicate<String> which) {
    return requests.stream().filter(which).count();
  }

  /** Requests for blobs ({@code GET}s of {@code /blobs/sha256:...}). */
  public long blobGets() {
    return count(r -> r.startsWith("GET ") && r.contains("/blobs/sha256:"));
  }

  /** Forgets the requests seen and lifts every fault. */
  public void reset() {
    requests.clear();
    statuses.clear();
    answers.clear();
    authorizations.clear();
    userAgents.clear();
    ranges.clear();
    redirectBlobsTo = null;
    hang = false;
    manifestBody = null;
    replaceAuthorization = null;
    flipBlobByte = false;
    failWith = null;
    bytesPerSecond = 0;
    uploadBytesPerSecond = 0;
    uploadsMax.set(0);
    cutEvery = 0;
    stallBlobsAfter = -1;
    rateLimit = null;
    blobGetsSeen.set(0);
    blobBytesSent.set(0);
    cutsMade.set(0);
    cutBlobsAfter = -1;
    cutNextBlobAfter.set(-1);
  }

  public void flipBlobByte(boolean on) {
    flipBlobByte = on;
  }

  /** Answers every request with {@code status} (null relays again). */
  public void failWith(HttpStatus status) {
    failWith = status;
  }

  /** Stops listening: from now on connections are refused. */
  public void stop() {
    server.stop().join();
  }

  @Override
  public void close() {
    server.stop().join();
  }
}
