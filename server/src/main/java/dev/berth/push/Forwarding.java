package dev.berth.push;

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
import dev.berth.storage.BlobStore;
import dev.berth.storage.ForwardJournal;
import dev.berth.storage.ManifestStore;
import dev.berth.storage.StoredBlob;
import dev.berth.upstream.UpstreamFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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

  /** Exponential from 1 s to 5 min, each wait drawn from the upper half of its step. */
  static final Backoff BACKOFF =
      Backoff.exponential(1_000, Duration.ofMinutes(5).toMillis()).withJitter(-0.5, 0);

  private final BerthConfig config;
  private final ForwardingConfig settings;
  private final Forwarder forwarder;
  private final ManifestPush push;
  private final ManifestStore manifests;
  private final BlobStore blobs;
  private final ForwardJobs jobs;
  private final Permits workers;
  private final BerthMetrics metrics;
  private final Executor blocking;
  private final ScheduledExecutorService timer;
  private final Clock clock;

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
    this.jobs = new ForwardJobs(journal, settings, metrics, clock);
    this.workers = new Permits(settings.workers());
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
    List<ForwardJob> unfinished = jobs.load();
    unfinished.forEach(this::schedule);
    if (!unfinished.isEmpty()) {
      log.info("resuming {} unfinished forwards from the journal", unfinished.size());
    }
    var unused = timer.scheduleWithFixedDelay(jobs::prune, 10, 10, TimeUnit.MINUTES);
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
      size += blobs.find(d).map(StoredBlob::size).orElse(0L);
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
    if (job.mode() == ForwardMode.ASYNC) {
      jobs.save(job); // Durable before the client hears that its push is accepted.
      schedule(job);
      return CompletableFuture.completedFuture(null);
    }
    ForwardJob started = job.started();
    jobs.put(started);
    return attempt(started, target, manifest, stored.blobs())
        .whenComplete(
            (v, e) -> {
              Instant end = clock.instant();
              if (e == null) {
                jobs.put(started.done(end));
              } else {
                RegistryException cause = Forwarder.failure(e);
                metrics.forwardFailure(job.registry(), causeOf(cause));
                jobs.put(started.failed(cause.detail(), end));
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

  /** Runs the forward once one of {@code forwarding.workers} is free. */
  private void enqueue(String id) {
    var unused =
        workers
            .run(() -> CompletableFuture.supplyAsync(() -> run(id), blocking).thenCompose(f -> f))
            .whenComplete(
                (v, e) -> {
                  if (e != null) {
                    // The journal could not be written: the forward stays pending for another go.
                    log.warn(
                        "forward {} could not be run, trying again in a minute: {}",
                        id,
                        e.toString());
                    var unusedRetry = timer.schedule(() -> enqueue(id), 1, TimeUnit.MINUTES);
                  }
                });
  }

  private CompletableFuture<Void> run(String id) {
    ForwardJob job = jobs.get(id);
    return job == null || job.state() != State.PENDING
        ? CompletableFuture.completedFuture(null)
        : runAsync(job);
  }

  private CompletableFuture<Void> runAsync(ForwardJob pending) {
    ForwardJob job = pending.started();
    jobs.save(job);
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
                // Unrecorded, it is forwarded again after a restart: the upstream answers the same.
                jobs.record(job.done(clock.instant()));
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
    ForwardJob pending = job.retryAt(cause.detail(), now.plus(wait));
    jobs.record(pending);
    log.warn(
        "forwarding {} failed (attempt {}), retrying in {} s: {}",
        job.ref(),
        job.attempts(),
        wait.toSeconds(),
        cause.detail());
    schedule(pending);
  }

  private void finish(ForwardJob job, RegistryException cause) {
    jobs.record(job.failed(cause.detail(), clock.instant()));
    log.error(
        "forwarding {} failed for good after {} attempt(s): {}",
        job.ref(),
        job.attempts(),
        cause.detail());
  }

  private static String causeOf(RegistryException e) {
    return e.error().code().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * The state of every forward Berth knows, as {@code GET /_berth/v1/forwarding} returns it: lists
   * {@code pending}, {@code inFlight}, {@code done} and {@code failed}, oldest first.
   */
  public byte[] statusJson() {
    return jobs.statusJson();
  }
}
