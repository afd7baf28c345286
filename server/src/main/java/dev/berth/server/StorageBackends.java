package dev.berth.server;

import dev.berth.config.BerthConfig;
import dev.berth.shared.SharedBackend;
import dev.berth.storage.StoragePaths;
import dev.berth.storage.Stores;
import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;

/** The stores that a configuration's {@code storage.backend} names. */
public final class StorageBackends {
  private StorageBackends() {}

  /**
   * The data directory {@code paths} alone ({@code filesystem}), or the shared backends with {@code
   * paths} as their local tier ({@code shared}), whose checks and sweeps run on {@code background}.
   * Close {@link Stores#resources()} when done.
   */
  public static Stores open(
      BerthConfig config, StoragePaths paths, ScheduledExecutorService background)
      throws IOException {
    return config.storage().shared()
        ? SharedBackend.open(config.storage(), config.cache(), paths, background)
        : Stores.onDisk(paths, config.storage());
  }

  /** Where {@code config} keeps what Berth stores, for a person to read. */
  public static String describe(BerthConfig config, StoragePaths paths) {
    var storage = config.storage();
    if (!storage.shared() || storage.objectStore() == null || storage.database() == null) {
      return paths.root().toString();
    }
    return "bucket "
        + storage.objectStore().bucket()
        + (storage.objectStore().prefix() == null ? "" : "/" + storage.objectStore().prefix())
        + " and database "
        + storage.database().shownUrl();
  }
}
