package dev.berth.cli;

import dev.berth.bundle.BundleImporter;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import dev.berth.server.StorageBackends;
import dev.berth.storage.DataDirectory;
import dev.berth.storage.StoragePaths;
import dev.berth.storage.Stores;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth import}: an OCI image layout archive into Berth's data directory. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    header = "Loads an OCI image layout archive into Berth's storage.",
    description = {
      "Loads an OCI image layout archive (as berth export writes it) into Berth's",
      "storage (the data directory, or the shared backends that the configuration's",
      "storage.backend names), verifying every digest; its images are then served under",
      "their names as if pulled from their upstreams, also with offline: true.",
      "Run it while that Berth is stopped. Exits 0 when loaded, 1 on a failure",
      "(nothing is stored), 2 on a usage error."
    })
final class ImportCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "The archive, e.g. bundle.tar.")
  Path archive;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "The data directory (default: the configuration's dataDir).")
  Path data;

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    BerthConfig cfg =
        config == null ? BerthConfig.defaults() : ConfigLoader.withSystemEnv().load(config);
    StoragePaths paths = DataDirectory.prepare(data != null ? data : cfg.dataDir());
    ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    BundleImporter.Imported imported;
    try {
      Stores stores = StorageBackends.open(cfg, paths, background);
      try {
        BundleImporter importer =
            new BundleImporter(
                stores.blobs(),
                stores.manifests(),
                stores.tags(),
                stores.members(),
                Clock.systemUTC());
        imported = importer.load(archive, n -> {});
      } finally {
        stores.resources().close();
      }
    } finally {
      background.shutdownNow();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "imported "
            + imported.images().size()
            + " images, "
            + imported.blobs()
            + " blobs, "
            + AdminApi.size(imported.bytes())
            + " into "
            + StorageBackends.describe(cfg, paths));
    imported.images().forEach(n -> out.println("  " + n));
    return 0;
  }
}
