package dev.berth.push;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.config.UpstreamConfig.ForwardMode;
import dev.berth.oci.Digest;
import dev.berth.push.ForwardJob.State;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ForwardingTest {
  private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  private static ForwardJob job(String reference) {
    return new ForwardJob(
        "6f1c9a52-0000-4000-8000-000000000001",
        "ghcr.io",
        "org/app",
        reference,
        Digest.sha256("m".getBytes(StandardCharsets.UTF_8)),
        "application/vnd.oci.image.manifest.v1+json",
        1234,
        ForwardMode.ASYNC,
        State.PENDING,
        0,
        null,
        T0,
        T0.plus(Duration.ofHours(24)),
        null,
        null);
  }

  @Test
  void aJournalRecordReadsBackAsWrittenAndAnAttemptCutByACrashIsPendingAgain() throws Exception {
    ForwardJob started = job("1.2").started();
    assertThat(started.state()).isEqualTo(State.IN_FLIGHT);
    assertThat(started.attempts()).isEqualTo(1);
    ForwardJob read = ForwardJob.parse(started.toBytes());
    assertThat(read).isEqualTo(started);
    ForwardJob recovered = read.recovered();
    assertThat(recovered.state()).isEqualTo(State.PENDING);
    assertThat(recovered.attempts()).isEqualTo(1);
    ForwardJob retry = started.retryAt("503", T0.plusSeconds(5));
    assertThat(ForwardJob.parse(retry.toBytes())).isEqualTo(retry);
    ForwardJob done = retry.started().done(T0.plusSeconds(6));
    assertThat(done.recovered()).isEqualTo(done);
    assertThat(done.finished()).isTrue();
    assertThat(done.lastError()).isNull();
  }

  @Test
  void refsNameATagOrADigest() {
    assertThat(job("1.2").ref()).isEqualTo("ghcr.io/org/app:1.2");
    String digest = "sha256:" + "a".repeat(64);
    assertThat(job(digest).ref()).isEqualTo("ghcr.io/org/app@" + digest);
  }

  @Test
  void backoffDoublesWithJitterUpToFiveMinutes() {
    for (int i = 0; i < 50; i++) {
      assertThat(wait(1)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
      assertThat(wait(4)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
      assertThat(wait(40)).isBetween(Duration.ofMinutes(2).plusSeconds(30), Duration.ofMinutes(5));
    }
  }

  private static Duration wait(int attempts) {
    return Duration.ofMillis(Forwarding.BACKOFF.nextDelayMillis(attempts));
  }

  @Test
  void permitsBoundTheTasksRunningAtOnceAndServeWaitersInOrder() {
    Permits permits = new Permits(2);
    AtomicInteger running = new AtomicInteger();
    List<CompletableFuture<Void>> gates = new ArrayList<>();
    List<Integer> order = new ArrayList<>();
    List<CompletableFuture<Void>> results = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      int n = i;
      CompletableFuture<Void> gate = new CompletableFuture<>();
      gates.add(gate);
      results.add(
          permits.run(
              () -> {
                running.incrementAndGet();
                synchronized (order) {
                  order.add(n);
                }
                return gate.whenComplete((v, e) -> running.decrementAndGet());
              }));
    }
    assertThat(running).hasValue(2);
    gates.get(0).complete(null);
    assertThat(running).hasValue(2);
    gates.get(1).completeExceptionally(new IllegalStateException("failed upload"));
    assertThat(running).hasValue(2);
    assertThat(order).containsExactly(0, 1, 2, 3);
    gates.forEach(g -> g.complete(null));
    assertThat(order).containsExactly(0, 1, 2, 3, 4);
    assertThat(running).hasValue(0);
    assertThat(results.get(1)).isCompletedExceptionally();
    assertThat(results.get(4)).isCompleted();
  }
}
