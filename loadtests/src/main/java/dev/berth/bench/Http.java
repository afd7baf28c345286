package dev.berth.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Small HTTP calls of the benchmark itself (readiness, uploads' control requests). */
final class Http {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private Http() {}

  static HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new BenchException(request.method() + " " + request.uri() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }

  static HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5));
  }

  /** GET {@code url}, failing unless it answers {@code expected}. */
  static HttpResponse<byte[]> get(String url, int expected) {
    return expect(send(request(url).build()), expected);
  }

  static HttpResponse<byte[]> expect(HttpResponse<byte[]> res, int expected) {
    if (res.statusCode() != expected) {
      throw new BenchException(
          res.request().method()
              + " "
              + res.request().uri()
              + ": answered "
              + res.statusCode()
              + " (expected: "
              + expected
              + "): "
              + new String(res.body(), java.nio.charset.StandardCharsets.UTF_8));
    }
    return res;
  }

  /**
   * Waits until {@code url} answers 200, polling every few milliseconds; fails when {@code proc}
   * exits or {@code timeout} passes. Returns the seconds waited.
   */
  static double awaitReady(String url, Proc proc, Duration timeout) {
    return awaitStatus(url, 200, proc, timeout);
  }

  /** As {@link #awaitReady}, until {@code url} answers {@code status}. */
  static double awaitStatus(String url, int status, Proc proc, Duration timeout) {
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    HttpRequest probe = request(url).timeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      if (!proc.isAlive()) {
        throw new BenchException(proc.name() + " exited while starting:\n" + proc.tail());
      }
      try {
        if (CLIENT.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == status) {
          return (System.nanoTime() - start) / 1e9;
        }
      } catch (IOException e) {
        // Not listening yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("interrupted", e);
      }
      sleepMillis(5);
    }
    throw new BenchException(proc.name() + " did not answer " + url + ":\n" + proc.tail());
  }

  static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }
}
