package dev.berth.push;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A bound on how many asynchronous tasks run at once; the others wait in arrival order without
 * holding a thread. Thread-safe.
 */
final class Permits {
  private final int max;
  private final Deque<CompletableFuture<Void>> waiting = new ArrayDeque<>();
  private int used;

  Permits(int max) {
    this.max = max;
  }

  /** Runs {@code task} once a permit is free, and frees it when the task's future completes. */
  <T> CompletableFuture<T> run(Supplier<CompletableFuture<T>> task) {
    return acquire()
        .thenCompose(
            granted -> {
              CompletableFuture<T> running;
              try {
                running = task.get();
              } catch (RuntimeException e) {
                release();
                throw e;
              }
              return running.whenComplete((r, e) -> release());
            });
  }

  private synchronized CompletableFuture<Void> acquire() {
    if (used < max) {
      used++;
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> turn = new CompletableFuture<>();
    waiting.add(turn);
    return turn;
  }

  private void release() {
    CompletableFuture<Void> next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        used--;
        return;
      }
    }
    // The permit passes to the next task as it is.
    next.complete(null);
  }
}
