package dev.berth.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Checks on the downloads of a run, and what the blob scenarios measure of them. */
final class Transfers {
  private static final double GIB = 1L << 30;

  private Transfers() {}

  /** {@code clients} downloads of {@code url} at once; fails unless each got 200 and every byte. */
  static List<Curl.Transfer> fetch(String url, int clients, Blob blob) {
    List<Curl.Transfer> done = Curl.getAll(Collections.nCopies(clients, url));
    for (Curl.Transfer t : done) {
      if (t.status() != 200 || t.bytes() != blob.size()) {
        throw new BenchException(
            "GET "
                + url
                + ": status "
                + t.status()
                + ", "
                + t.bytes()
                + " of "
                + blob.size()
                + " bytes");
      }
    }
    return done;
  }

  /**
   * Fails unless {@code clients} bodies of {@code url}, fetched at once (one thread and one curl
   * each), have the blob's digest.
   */
  static void verify(String url, int clients, Blob blob) {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<String>> digests = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        digests.add(pool.submit(() -> Curl.digestOf(url)));
      }
      for (Future<String> f : digests) {
        String d = result(f);
        if (!d.equals(blob.digest())) {
          throw new BenchException(
              "GET " + url + " sent bytes of digest " + d + ", not " + blob.digest());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static String result(Future<String> f) {
    try {
      return f.get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof BenchException b ? b : new BenchException(e.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted", e);
    }
  }

  /** CPU seconds per GiB sent, from a server's CPU time before and after. */
  static double cpuPerGib(double before, double after, long bytes) {
    return (after - before) / (bytes / GIB);
  }

  static double mib(long bytes) {
    return bytes / (double) (1 << 20);
  }

  static String size(long bytes) {
    return bytes >= 1L << 30 ? (bytes >> 30) + " GiB" : (bytes >> 20) + " MiB";
  }
}
