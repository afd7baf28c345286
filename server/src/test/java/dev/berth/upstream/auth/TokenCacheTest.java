package dev.berth.upstream.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenCacheTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final List<CompletableFuture<Token>> requests = new CopyOnWriteArrayList<>();
  private final TokenCache cache =
      new TokenCache(
          k -> {
            CompletableFuture<Token> f = new CompletableFuture<>();
            requests.add(f);
            return f;
          },
          now::get);
  private final TokenKey key = new TokenKey("https://auth/token", "reg", "repository:a:pull", "");

  private void advance(long millis) {
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  @Test
  void aThreeSecondTokenIsReplacedAfterTwoPointSevenSeconds() {
    CompletableFuture<Token> first = cache.get(key);
    requests.get(0).complete(new Token("t1", Duration.ofSeconds(3)));
    assertThat(first.join().value()).isEqualTo("t1");
    advance(2_690);
    assertThat(cache.get(key).join().value()).isEqualTo("t1");
    assertThat(requests).hasSize(1);
    advance(20);
    CompletableFuture<Token> second = cache.get(key);
    assertThat(requests).hasSize(2);
    requests.get(1).complete(new Token("t2", Duration.ofSeconds(3)));
    assertThat(second.join().value()).isEqualTo("t2");
  }

  @Test
  void anHourTokenIsReplacedThirtySecondsEarly() {
    cache.get(key);
    requests.get(0).complete(new Token("t1", Duration.ofHours(1)));
    advance(Duration.ofMinutes(59).plusSeconds(29).toMillis());
    assertThat(cache.get(key).join().value()).isEqualTo("t1");
    advance(2_000);
    cache.get(key);
    assertThat(requests).hasSize(2);
  }

  @Test
  void concurrentRequestsShareOneTokenRequestAndAgeIsReported() {
    List<CompletableFuture<Token>> waiting =
        List.of(cache.get(key), cache.get(key), cache.get(key));
    assertThat(requests).hasSize(1);
    requests.get(0).complete(new Token("t1", Duration.ofSeconds(60)));
    assertThat(waiting).allSatisfy(f -> assertThat(f.join().value()).isEqualTo("t1"));
    advance(5_000);
    assertThat(cache.oldestAgeSeconds()).isEqualTo(5.0);
  }

  @Test
  void onlyTheRefusedTokenIsDropped() {
    cache.get(key);
    requests.get(0).complete(new Token("t1", Duration.ofSeconds(60)));
    Token t1 = cache.get(key).join();
    cache.invalidate(key, t1);
    cache.get(key);
    requests.get(1).complete(new Token("t2", Duration.ofSeconds(60)));
    // A late 401 for t1 must not drop t2, which another request already got.
    cache.invalidate(key, t1);
    assertThat(cache.get(key).join().value()).isEqualTo("t2");
    assertThat(requests).hasSize(2);
  }

  @Test
  void aFailedRequestIsNotCached() {
    CompletableFuture<Token> failed = cache.get(key);
    requests.get(0).completeExceptionally(new IllegalStateException("token server down"));
    assertThat(failed).isCompletedExceptionally();
    cache.get(key);
    assertThat(requests).hasSize(2);
  }
}
