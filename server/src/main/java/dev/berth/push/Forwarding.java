package dev.berth.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.linecorp.armeria.client.retry.Backoff;
import dev.berth.config.BerthConfig;
import dev.berth.config.ForwardingConfig;
import dev.berth.config.UpstreamConfig;
import dev.berth.config.UpstreamConfig.ForwardMode;
import dev.berth.errors.OciError;
import dev.berth.errors.RegistryException;
import dev.berth.metrics.BerthMetrics;
import dev.berth.oci.Digest;
import dev.berth.oci.Manifest;
import dev.berth.oci.ManifestReference;
import dev.berth.oci.RepositoryName;
import dev.berth.push.ForwardJob.State;
import dev.berth.routing.Target;
import dev.berth.storage.BlobFile;
import dev.berth.storage.BlobStore;
import dev.berth.storage.ForwardJournal;
import dev.berth.storage.ManifestStore;
import dev.berth.upstream.UpstreamFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every forward of a pushed manifest, in both modes. A {@code sync} forward runs at once while its
 * client waits, and is only listed. An {@code async} forward is journaled (forced to disk) before
 * the push is acknowledged; a bounded pool of workers then forwards it, retrying with exponential
 * backoff and jitter (longer when the upstream sends {@code Retry-After}) until it is done, the
 * upstream rejects it as invalid, or its deadline passes. On start every unfinished forward in the
 * journal is resumed. The tag is written locally once the upstream has the manifest. Thread-safe.
 */
public final class Forwarding {
  private static final Logger log = LoggerFactory.getLogger(Forwarding.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Exponential from 1 s to 5 min, each wait drawn from the upper half of its step. */
  static final Backoff BACKOFF =
      Backoff.exponential(1_000, Duration.ofMinutes(5).toMillis()).withJitter(-0.5, 0);

  private final BerthConfig config;
  private final ForwardingConfig settings;
  private final Forwarder forwarder;
  private final ManifestPush push;
  private final ManifestStore manifests;
  private final BlobStore blobs;
  private final ForwardJournal journal;
  private final BerthMetrics metrics;
  private final Executor blocking;
  private final ScheduledExecutorService timer;
  private final Clock clock;
  private final Map<String, ForwardJob> jobs = new ConcurrentHashMap<>();
  private final Set<String> metered = ConcurrentHashMap.newKeySet();
  private final Deque<String> ready = new ArrayDeque<>();
  private int running;

  public Forwarding(
      BerthConfig config,
      Forwarder forwarder,
      ManifestPush push,
      ManifestStore manifests,
      BlobStore blobs,
      ForwardJournal journal,
      BerthMetrics metrics,
      Executor blocking,
      ScheduledExecutorService timer,
      Clock clock) {
    this.config = config;
    this.settings = config.forwarding();
    this.forwarder = forwarder;
    this.push = push;
    this.manifests = manifests;
    this.blobs = blobs;
    this.journal = journal;
    this.metrics = metrics;
    this.blocking = blocking;
    this.timer = timer;
    this.clock = clock;
  }

  /**
   * Loads the journal and resumes every forward that had not finished; forgets finished ones past
   * their retention. Call once, before the server takes requests.
   */
  public void start() throws IOException {
    int resumed = 0;
    for (var record : journal.readAll().entrySet()) {
      ForwardJob job;
      try {
        job = ForwardJob.parse(record.getValue()).recovered();
      } catch (IOException e) {
        log.warn("skipping forwarding record {}: {}", record.getKey(), e.getMessage());
        continue;
      }
      if (job.finished() && expired(job)) {
        journal.delete(job.id());
        continue;
      }
      jobs.put(job.id(), job);
      meter(job.registry());
      if (!job.finished()) {
        resumed++;
        schedule(job);
      }
    }
    if (resumed > 0) {
      log.info("resuming {} unfinished forwards from the journal", resumed);
    }
    var unused = timer.scheduleWithFixedDelay(this::prune, 10, 10, TimeUnit.MINUTES);
  }

  /**
   * Forwards {@code stored}, pushed to {@code target} under {@code ref}, in the target upstream's
   * mode. The future completes once the client may be answered: for {@code sync} when the upstream
   * has the manifest (failing with the OCI error its answer maps to), for {@code async} once the
   * forward is journaled. Blocks on disk writes: call it from a blocking thread.
   */
  public CompletableFuture<Void> submit(
      Target target, ManifestReference ref, ManifestPush.Stored stored) {
    UpstreamConfig upstream = target.upstreamConfig();
    Instant now = clock.instant();
    Manifest manifest = stored.manifest();
    long size = manifest.bytes().length;
    for (Digest d : stored.blobs()) {
      size += blobs.find(d).map(BlobFile::size).orElse(0L);
    }
    ForwardJob job =
        new ForwardJob(
            UUID.randomUUID().toString(),
            target.registry(),
            target.repository().value(),
            ref.toString(),
            manifest.digest(),
            manifest.mediaType(),
            size,
            upstream.forwarding(),
            State.PENDING,
            0,
            null,
            now,
            now.plus(settings.deadline()),
            null,
            null);
    meter(job.registry());
    if (job.mode() == ForwardMode.ASYNC) {
      save(job); // Durable before the client hears that its push is accepted.
      jobs.put(job.id(), job);
      schedule(job);
      return CompletableFuture.completedFuture(null);
    }
    ForwardJob started = job.started();
    jobs.put(job.id(), started);
    return attempt(started, target, manifest, stored.blobs())
        .whenComplete(
            (v, e) -> {
              Instant end = clock.instant();
              if (e == null) {
                jobs.put(job.id(), started.done(end));
              } else {
                RegistryException cause = Forwarder.failure(e);
                metrics.forwardFailure(job.registry(), causeOf(cause));
                jobs.put(job.id(), started.failed(cause.getMessage(), end));
              }
            })
        .exceptionally(
            e -> {
              throw Forwarder.failure(e);
            });
  }

  /** One attempt: every blob and child first, then the manifest, then the local tag. */
  private CompletableFuture<Void> attempt(
      ForwardJob job, Target target, Manifest manifest, List<Digest> blobsNamed) {
    return forwarder
        .manifest(target, job.reference(), manifest, blobsNamed)
        .thenRun(() -> push.tag(target, ManifestReference.of(job.reference()), manifest));
  }

  private void schedule(ForwardJob job) {
    Instant next = job.nextAttemptAt();
    long delay = next == null ? 0 : Duration.between(clock.instant(), next).toMillis();
    if (delay <= 0) {
      enqueue(job.id());
    } else {
      var unused = timer.schedule(() -> enqueue(job.id()), delay, TimeUnit.MILLISECONDS);
    }
  }

  private void enqueue(String id) {
    synchronized (this) {
      ready.add(id);
    }
    dispatch();
  }

  /** Starts queued forwards while fewer than {@code workers} run. */
  private void dispatch() {
    while (true) {
      String id;
      synchronized (this) {
        if (running >= settings.workers() || ready.isEmpty()) {
          return;
        }
        id = ready.poll();
        running++;
      }
      blocking.execute(() -> run(id));
    }
  }

  private void run(String id) {
    CompletableFuture<Void> done;
    ForwardJob job = jobs.get(id);
    try {
      if (job == null || job.state() != State.PENDING) {
        done = CompletableFuture.completedFuture(null);
      } else {
        done = runAsync(job);
      }
    } catch (RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    done.whenComplete(
        (v, e) -> {
          if (e != null) {
            // Say the journal could not be written: the forward stays pending and is tried again.
            log.warn("forward {} could not be run, trying again in a minute: {}", id, e.toString());
            var unused = timer.schedule(() -> enqueue(id), 1, TimeUnit.MINUTES);
          }
          synchronized (this) {
            running--;
          }
          dispatch();
        });
  }

  private CompletableFuture<Void> runAsync(ForwardJob pending) {
    ForwardJob job = pending.started();
    save(job);
    jobs.put(job.id(), job);
    Optional<UpstreamConfig> upstream = config.upstreamFor(job.registry());
    if (upstream.isEmpty() || !upstream.get().push()) {
      finish(job, OciError.DENIED.with("pushes to " + job.registry() + " are no longer enabled"));
      return CompletableFuture.completedFuture(null);
    }
    Target target = new Target(job.registry(), RepositoryName.of(job.repository()), upstream);
    Manifest manifest;
    try {
      manifest =
          manifests
              .get(job.digest())
              .orElseThrow(
                  () ->
                      OciError.MANIFEST_UNKNOWN.with(
                          "manifest " + job.digest() + " is no longer on disk"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RegistryException e) {
      finish(job, e);
      return CompletableFuture.completedFuture(null);
    }
    return attempt(job, target, manifest, manifest.named().blobs())
        .handleAsync(
            (v, e) -> {
              if (e == null) {
                ForwardJob done = job.done(clock.instant());
                jobs.put(done.id(), done);
                // Unrecorded, it is forwarded again after a restart: the upstream answers the same.
                trySave(done);
                log.info(
                    "forwarded {} ({}) after {} attempt(s)",
                    job.ref(),
                    job.digest(),
                    job.attempts());
              } else {
                retryOrFail(job, e);
              }
              return null;
            },
            blocking);
  }

  private void retryOrFail(ForwardJob job, Throwable e) {
    RegistryException cause = Forwarder.failure(e);
    metrics.forwardFailure(job.registry(), causeOf(cause));
    Instant now = clock.instant();
    // Refused credentials or a repository not created yet are tried again: someone may fix them
    // before the deadline. What the upstream refused as invalid is not.
    Optional<Duration> next =
        UpstreamFailure.nextTry(e, Math.max(1, job.attempts()), BACKOFF, true);
    if (next.isEmpty() || now.plus(next.get()).isAfter(job.deadline())) {
      finish(job, cause);
      return;
    }
    Duration wait = next.get();
    ForwardJob pending = job.retryAt(cause.getMessage(), now.plus(wait));
    jobs.put(pending.id(), pending);
    trySave(pending);
    log.warn(
        "forwarding {} failed (attempt {}), retrying in {} s: {}",
        job.ref(),
        job.attempts(),
        wait.toSeconds(),
        cause.getMessage());
    schedule(pending);
  }

  private void finish(ForwardJob job, RegistryException cause) {
    ForwardJob failed = job.failed(cause.getMessage(), clock.instant());
    jobs.put(failed.id(), failed);
    trySave(failed);
    log.error(
        "forwarding {} failed for good after {} attempt(s): {}",
        job.ref(),
        job.attempts(),
        cause.getMessage());
  }

  private static String causeOf(RegistryException e) {
    return e.error().code().toLowerCase(java.util.Locale.ROOT);
  }

  private void save(ForwardJob job) {
    if (job.mode() != ForwardMode.ASYNC) {
      return;
    }
    try {
      journal.write(job.id(), job.toBytes());
    } catch (IOException e) {
      throw OciError.UNAVAILABLE.with("cannot write the forwarding journal: " + e.getMessage());
    }
  }

  /** As {@link #save}, logging a failure instead: the state in memory goes on. */
  private void trySave(ForwardJob job) {
    try {
      save(job);
    } catch (RuntimeException e) {
      log.warn("cannot record forward {} as {}: {}", job.ref(), job.state(), e.getMessage());
    }
  }

  private boolean expired(ForwardJob job) {
    return job.finishedAt() != null
        && job.finishedAt().plus(settings.retention()).isBefore(clock.instant());
  }

  private void prune() {
    for (ForwardJob job : List.copyOf(jobs.values())) {
      if (job.finished() && expired(job) && jobs.remove(job.id(), job)) {
        try {
          journal.delete(job.id());
        } catch (IOException e) {
          log.warn("cannot delete forwarding record {}: {}", job.id(), e.toString());
        }
      }
    }
  }

  private void meter(String registry) {
    if (metered.add(registry)) {
      metrics.forwardQueue(
          registry,
          () -> unfinished(registry).count(),
          () ->
              unfinished(registry)
                  .map(ForwardJob::acceptedAt)
                  .min(Comparator.naturalOrder())
                  .map(t -> Duration.between(t, clock.instant()).toMillis() / 1000.0)
                  .orElse(0.0));
    }
  }

  private java.util.stream.Stream<ForwardJob> unfinished(String registry) {
    return jobs.values().stream().filter(j -> j.registry().equals(registry) && !j.finished());
  }

  /**
   * The state of every forward Berth knows, as {@code GET /_berth/v1/forwarding} returns it: lists
   * {@code pending}, {@code inFlight}, {@code done} and {@code failed}, oldest first.
   */
  public byte[] statusJson() {
    Map<ForwardJob.State, List<ForwardStatus.Entry>> by = new EnumMap<>(ForwardJob.State.class);
    for (ForwardJob.State state : ForwardJob.State.values()) {
      by.put(state, new ArrayList<>());
    }
    jobs.values().stream()
        .sorted(Comparator.comparing(ForwardJob::acceptedAt))
        .forEach(j -> by.get(j.state()).add(j.toEntry()));
    try {
      return JSON.writeValueAsBytes(
          new ForwardStatus(
              by.get(ForwardJob.State.PENDING),
              by.get(ForwardJob.State.IN_FLIGHT),
              by.get(ForwardJob.State.DONE),
              by.get(ForwardJob.State.FAILED)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
