package dev.berth.storage;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Takes a streamed body's chunks on its event loop and hands them to storage on a blocking
 * executor, in order and in batches: chunks queue up as they arrive, and one drain at a time takes
 * every chunk queued so far, so a subclass can write them with one gathering write. {@code window}
 * chunks are asked for ahead, and more are asked for half a window at a time, so that the disk and
 * the network work at once, memory stays bounded, and the event loop is not woken for every chunk.
 * Thread-safe: Reactive Streams signals may come from any thread, drains never overlap.
 */
public abstract class ChunkDrain implements Subscriber<HttpObject> {
  private static final Object END = new Object();

  private final Executor executor;
  private final int window;
  private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicLong requested = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private volatile @Nullable Subscription subscription;

  /** Chunks taken but not yet asked for again; touched by the drain only. */
  private int taken;

  /** Whether {@link #end} was called; touched by the drain only. */
  private boolean ended;

  protected ChunkDrain(Executor executor, int window) {
    this.executor = executor;
    this.window = window;
  }

  /**
   * Stores {@code chunks}, in order; called on the executor, one call at a time. The chunks are
   * released afterwards. Throwing ends the body: it is cancelled and {@link #end} gets the cause.
   */
  protected abstract void write(List<HttpData> chunks) throws Exception;

  /** The body ended ({@code failure} null) or failed; called once, on the executor, last. */
  protected abstract void end(@Nullable Throwable failure);

  /** Stops the body: no more chunks are asked for, and those that still come are released. */
  protected final void cancel() {
    Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
  }

  /** Where the flow stands, for the log of a stall: which side stopped. */
  public final String describe() {
    return "asked for "
        + requested.get()
        + " chunks, received "
        + received.get()
        + ", "
        + inbox.size()
        + " queued, drainer "
        + (draining.get() ? "running" : "idle");
  }

  @Override
  public final void onSubscribe(Subscription s) {
    subscription = s;
    requested.addAndGet(window);
    s.request(window);
  }

  @Override
  public final void onNext(HttpObject obj) {
    received.incrementAndGet();
    enqueue(obj);
  }

  @Override
  public final void onError(Throwable t) {
    enqueue(t);
  }

  @Override
  public final void onComplete() {
    enqueue(END);
  }

  private void enqueue(Object signal) {
    inbox.add(signal);
    if (draining.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    do {
      List<HttpData> chunks = new ArrayList<>();
      @Nullable Object last = null;
      for (Object signal; last == null && (signal = inbox.poll()) != null; ) {
        if (signal instanceof HttpData data) {
          chunks.add(data);
        } else if (signal instanceof HttpObject) {
          taken++; // trailers: nothing to store
        } else {
          last = signal;
        }
      }
      try {
        handle(chunks, last);
      } finally {
        draining.set(false);
      }
    } while (!inbox.isEmpty() && draining.compareAndSet(false, true));
  }

  private void handle(List<HttpData> chunks, @Nullable Object last) {
    if (ended) {
      chunks.forEach(HttpData::close);
      return;
    }
    Throwable failure = writeAll(chunks);
    if (failure != null || last != null) {
      ended = true;
      if (failure != null) {
        cancel();
      }
      end(failure != null ? failure : last == END ? null : (Throwable) last);
    }
  }

  private @Nullable Throwable writeAll(List<HttpData> chunks) {
    if (chunks.isEmpty()) {
      return null;
    }
    try {
      write(chunks);
      taken += chunks.size();
      if (taken >= window / 2) {
        requested.addAndGet(taken);
        java.util.Objects.requireNonNull(subscription, "subscribed").request(taken);
        taken = 0;
      }
      return null;
    } catch (Exception e) {
      return e;
    } finally {
      chunks.forEach(HttpData::close);
    }
  }
}
