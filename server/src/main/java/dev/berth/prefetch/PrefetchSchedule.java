package dev.berth.prefetch;

import dev.berth.config.PrefetchConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The images {@code berth serve} pre-pulls on its own: at start, then every {@code
 * prefetch.interval}; files are read again each time. A run does not start while the last one goes
 * on. Thread-safe.
 */
public final class PrefetchSchedule {
  private static final Logger log = LoggerFactory.getLogger(PrefetchSchedule.class);

  private final PrefetchConfig config;
  private final Prefetcher prefetcher;
  private final AtomicBoolean running = new AtomicBoolean();

  public PrefetchSchedule(PrefetchConfig config, Prefetcher prefetcher) {
    this.config = config;
    this.prefetcher = prefetcher;
  }

  /** Schedules the runs on {@code timer}; nothing when the configuration names no image. */
  public void start(ScheduledExecutorService timer) {
    if (config.isEmpty()) {
      return;
    }
    long every = config.interval().toMillis();
    var unused = timer.scheduleWithFixedDelay(this::run, 0, every, TimeUnit.MILLISECONDS);
  }

  private void run() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    List<ImageRequest> images;
    try {
      images = images();
    } catch (IOException | Sources.SourceException e) {
      log.error("prefetch: cannot read what to pre-pull: {}", e.getMessage());
      running.set(false);
      return;
    }
    List<CompletableFuture<Prefetcher.Result>> all = new ArrayList<>();
    for (ImageRequest image : images) {
      all.add(prefetcher.prefetch(image, new Prefetcher.Listener() {}));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) -> {
              running.set(false);
              List<Prefetcher.Result> results = all.stream().map(CompletableFuture::join).toList();
              long failed = results.stream().filter(r -> !r.ok()).count();
              long fetched = results.stream().mapToLong(Prefetcher.Result::fetchedBytes).sum();
              log.info(
                  "prefetch: {} of {} images present, {} bytes fetched",
                  results.size() - failed,
                  results.size(),
                  fetched);
              results.stream()
                  .filter(r -> !r.ok())
                  .forEach(r -> log.warn("prefetch: {} failed: {}", r.ref(), r.error()));
            });
  }

  private List<ImageRequest> images() throws IOException {
    List<ImageRequest> images = new ArrayList<>();
    for (int i = 0; i < config.images().size(); i++) {
      images.add(
          Sources.line(config.images().get(i), "prefetch.images[" + i + "]", config.platforms()));
    }
    for (var f : config.files()) {
      images.addAll(Sources.listFile(f, config.platforms()));
    }
    for (var f : config.dockerfiles()) {
      images.addAll(Sources.dockerfile(f, config.buildArgs(), config.platforms()));
    }
    return images;
  }
}
