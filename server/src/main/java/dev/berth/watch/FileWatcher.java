package dev.berth.watch;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back when a watched file's content changes: written in place, replaced by a rename, or
 * swapped under a symbolic link (as Kubernetes updates mounted secrets). The kernel's notices on
 * the file's directory wake it at once; it also looks every {@code interval}, for file systems that
 * send none. One thread for every file; callbacks run on it, one at a time. Thread-safe.
 */
public final class FileWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);
  private static final int MAX_BYTES = 16 << 20;
  private static final Duration SETTLE = Duration.ofMillis(250);

  private final Duration interval;
  private final WatchService service;
  private final Map<Path, Watched> files = new ConcurrentHashMap<>();
  private final Thread thread;

  private static final class Watched {
    final Runnable onChange;
    String fingerprint;

    Watched(Runnable onChange, String fingerprint) {
      this.onChange = onChange;
      this.fingerprint = fingerprint;
    }
  }

  public FileWatcher(Duration interval) throws IOException {
    this.interval = interval;
    this.service = FileSystems.getDefault().newWatchService();
    this.thread = new Thread(this::run, "berth-file-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Calls {@code onChange} whenever the content of {@code file} differs from what it was when last
   * seen (a file that disappears counts as a change; the callback finds out what it can read).
   */
  public void watch(Path file, Runnable onChange) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path dir = absolute.getParent();
    if (dir != null && Files.isDirectory(dir)) {
      dir.register(
          service,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    }
    files.put(absolute, new Watched(onChange, fingerprint(absolute)));
  }

  private void run() {
    while (true) {
      try {
        var key = service.poll(interval.toMillis(), TimeUnit.MILLISECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
        }
        check();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("watching files: {}", e.toString());
      }
    }
  }

  private void check() throws InterruptedException {
    for (var e : files.entrySet()) {
      Path file = e.getKey();
      Watched watched = e.getValue();
      String now = fingerprint(file);
      if (Objects.equals(now, watched.fingerprint)) {
        continue;
      }
      // A file written in place is empty or half there for a moment: act once it holds still.
      Thread.sleep(SETTLE.toMillis());
      if (!Objects.equals(now, fingerprint(file))) {
        continue; // Still changing: the next look sees it.
      }
      watched.fingerprint = now;
      try {
        watched.onChange.run();
      } catch (RuntimeException failure) {
        log.warn("reacting to a change of {}: {}", file, failure.toString());
      }
    }
  }

  /** The digest of the file's content; a word for a file that cannot be read. */
  private static String fingerprint(Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        return "size:" + Files.size(file) + ":" + Files.getLastModifiedTime(file);
      }
      return Digest.sha256(Files.readAllBytes(file)).toString();
    } catch (NoSuchFileException e) {
      return "missing";
    } catch (IOException e) {
      return "unreadable:" + e.getMessage();
    }
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException e) {
      log.debug("closing the watch service: {}", e.toString());
    }
    thread.interrupt();
  }
}
