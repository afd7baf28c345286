package dev.berth.push;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.ForwardingConfig;
import dev.berth.config.UpstreamConfig.ForwardMode;
import dev.berth.errors.OciError;
import dev.berth.metrics.BerthMetrics;
import dev.berth.push.ForwardJob.State;
import dev.berth.storage.ForwardJournal;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of every forward: each job's latest record in memory, and for {@code async} forwards in
 * the journal, forced to disk. Finished forwards are kept for {@code forwarding.retention}. Reports
 * the queue to the metrics and the whole state as one {@link ForwardStatus}. Thread-safe.
 */
final class ForwardJobs {
  private static final Logger log = LoggerFactory.getLogger(ForwardJobs.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ForwardJournal journal;
  private final ForwardingConfig settings;
  private final BerthMetrics metrics;
  private final Clock clock;
  private final Map<String, ForwardJob> jobs = new ConcurrentHashMap<>();
  private final Set<String> metered = ConcurrentHashMap.newKeySet();

  ForwardJobs(
      ForwardJournal journal, ForwardingConfig settings, BerthMetrics metrics, Clock clock) {
    this.journal = journal;
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Reads the journal: an attempt a crash cut is pending again, finished forwards past their
   * retention are deleted. Returns the unfinished ones, to be resumed.
   */
  List<ForwardJob> load() throws IOException {
    List<ForwardJob> unfinished = new ArrayList<>();
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
      put(job);
      if (!job.finished()) {
        unfinished.add(job);
      }
    }
    return unfinished;
  }

  @Nullable ForwardJob get(String id) {
    return jobs.get(id);
  }

  /** Keeps {@code job} as its forward's latest state, in memory only. */
  void put(ForwardJob job) {
    meter(job.registry());
    jobs.put(job.id(), job);
  }

  /**
   * Keeps {@code job} as its forward's latest state and, for an {@code async} one, writes it to the
   * journal before returning.
   *
   * @throws dev.berth.errors.RegistryException UNAVAILABLE when the journal cannot be written
   */
  void save(ForwardJob job) {
    if (job.mode() == ForwardMode.ASYNC) {
      try {
        journal.write(job.id(), job.toBytes());
      } catch (IOException e) {
        throw OciError.UNAVAILABLE.with("cannot write the forwarding journal: " + e.getMessage());
      }
    }
    put(job);
  }

  /** As {@link #save}, logging a journal that cannot be written: the state in memory goes on. */
  void record(ForwardJob job) {
    put(job);
    try {
      save(job);
    } catch (RuntimeException e) {
      log.warn("cannot record forward {} as {}: {}", job.ref(), job.state(), e.getMessage());
    }
  }

  /** Forgets finished forwards past their retention, in memory and in the journal. */
  void prune() {
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

  /**
   * The state of every forward, as {@code GET /_berth/v1/forwarding} returns it: lists {@code
   * pending}, {@code inFlight}, {@code done} and {@code failed}, oldest first.
   */
  byte[] statusJson() {
    Map<State, List<ForwardStatus.Entry>> by = new EnumMap<>(State.class);
    jobs.values().stream()
        .sorted(Comparator.comparing(ForwardJob::acceptedAt))
        .forEach(j -> by.computeIfAbsent(j.state(), s -> new ArrayList<>()).add(j.toEntry()));
    try {
      return JSON.writeValueAsBytes(
          new ForwardStatus(
              by.getOrDefault(State.PENDING, List.of()),
              by.getOrDefault(State.IN_FLIGHT, List.of()),
              by.getOrDefault(State.DONE, List.of()),
              by.getOrDefault(State.FAILED, List.of())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean expired(ForwardJob job) {
    return job.finishedAt() != null
        && job.finishedAt().plus(settings.retention()).isBefore(clock.instant());
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

  private Stream<ForwardJob> unfinished(String registry) {
    return jobs.values().stream().filter(j -> j.registry().equals(registry) && !j.finished());
  }
}
