package dev.berth.bench;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.Endpoint;
import com.linecorp.armeria.client.WebClient;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.SessionProtocol;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load generator of the {@code HEAD} rows, where {@code wrk} cannot serve (it waits for a body
 * that a {@code HEAD} answer never has): Armeria's HTTP/1.1 client on two event loops, {@code
 * connections} requests in flight, each followed by the next until the duration is over.
 */
final class HeadLoad implements AutoCloseable {
  private final ClientFactory factory =
      ClientFactory.builder().workerGroup(2).idleTimeout(Duration.ofSeconds(10)).build();

  Wrk.Rate run(String url, String accept, Duration duration, int connections) {
    URI uri = URI.create(url);
    WebClient client =
        WebClient.builder(SessionProtocol.H1C, Endpoint.of(uri.getHost(), uri.getPort()))
            .factory(factory)
            .build();
    RequestHeaders headers =
        RequestHeaders.builder(HttpMethod.HEAD, uri.getRawPath()).set("accept", accept).build();
    AtomicLong done = new AtomicLong();
    AtomicReference<String> failure = new AtomicReference<>();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    List<CompletableFuture<Void>> users = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      CompletableFuture<Void> user = new CompletableFuture<>();
      users.add(user);
      loop(client, headers, end, done, failure, user);
    }
    CompletableFuture.allOf(users.toArray(CompletableFuture[]::new)).join();
    double seconds = (System.nanoTime() - start) / 1e9;
    if (failure.get() != null) {
      throw new BenchException("HEAD " + url + " failed: " + failure.get());
    }
    return new Wrk.Rate(done.get() / seconds, done.get());
  }

  @Override
  public void close() {
    factory.close();
  }

  private static void loop(
      WebClient client,
      RequestHeaders headers,
      long end,
      AtomicLong done,
      AtomicReference<String> failure,
      CompletableFuture<Void> finished) {
    if (System.nanoTime() >= end || failure.get() != null) {
      finished.complete(null);
      return;
    }
    client
        .execute(headers)
        .aggregate()
        .whenComplete(
            (res, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e.toString());
              } else if (res.status().code() != 200) {
                failure.compareAndSet(null, "status " + res.status());
              } else {
                done.incrementAndGet();
              }
              loop(client, headers, end, done, failure, finished);
            });
  }
}
