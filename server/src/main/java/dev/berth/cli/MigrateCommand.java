package dev.berth.cli;

import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import dev.berth.server.StorageBackends;
import dev.berth.storage.DataDirectory;
import dev.berth.storage.Migration;
import dev.berth.storage.StoragePaths;
import dev.berth.storage.Stores;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth migrate}: a filesystem data directory into the shared backends. */
@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    header = "Copies a filesystem data directory into the shared backends.",
    description = {
      "Copies what a data directory holds (blobs, manifests, tag records, membership,",
      "referrers, deletions and the forwarding journal) into the object store and the",
      "database that the configuration given with --to names, verifying every digest.",
      "What the shared backends already hold is not copied again, so an interrupted",
      "migration can be run again. Uploads in progress are not copied. Run it while the",
      "Berth of that data directory is stopped; the data directory keeps what it holds.",
      "Exits 0 when copied, 1 on a failure, 2 on a usage error."
    })
final class MigrateCommand implements Callable<Integer> {
  @Option(
      names = "--to",
      required = true,
      paramLabel = "FILE",
      description = "The configuration of the Berth to copy into (storage.backend: shared).")
  Path to;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "The data directory to copy (default: the --config file's dataDir).")
  Path data;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "The YAML configuration of the Berth whose data directory is copied.")
  Path config;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    BerthConfig from =
        config == null ? BerthConfig.defaults() : ConfigLoader.withSystemEnv().load(config);
    BerthConfig into = ConfigLoader.withSystemEnv().load(to);
    Path dir = data != null ? data : from.dataDir();
    if (!into.storage().shared()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--to " + to + ": its storage.backend is not shared: there is nothing to migrate to");
    }
    if (!Files.isDirectory(dir)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "no data directory at " + dir);
    }
    StoragePaths source = DataDirectory.prepare(dir);
    PrintWriter out = spec.commandLine().getOut();
    // The copies pass through a local tier of their own, removed at the end.
    Path tier = Files.createTempDirectory("berth-migrate-");
    ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    Migration.Copied copied;
    try {
      Stores stores = StorageBackends.open(into, DataDirectory.prepare(tier), background);
      try {
        boolean terminal = AdminApi.isTerminal();
        copied =
            new Migration(source, stores)
                .run(
                    (done, of, bytes) -> {
                      if (terminal) {
                        out.print(bar(done, of, bytes));
                        out.flush();
                      }
                    });
        if (terminal) {
          out.println();
        }
      } finally {
        stores.resources().close();
      }
    } finally {
      background.shutdownNow();
      deleteTree(tier);
    }
    out.println(
        String.format(
            Locale.ROOT,
            "migrated %d blobs (%s), %d manifests, %d tags, %d memberships and %d other records"
                + " from %s into %s",
            copied.blobs(),
            AdminApi.size(copied.bytes()),
            copied.manifests(),
            copied.tags(),
            copied.members(),
            copied.records(),
            dir,
            StorageBackends.describe(into, source)));
    return 0;
  }

  private static String bar(int done, int of, long bytes) {
    int width = 24;
    int filled = of == 0 ? width : (int) ((long) done * width / of);
    return String.format(
        Locale.ROOT,
        "\r[%s%s] %d/%d blobs, %s copied",
        "#".repeat(filled),
        " ".repeat(width - filled),
        done,
        of,
        AdminApi.size(bytes));
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
