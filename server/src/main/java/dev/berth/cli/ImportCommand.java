package dev.berth.cli;

import dev.berth.bundle.BundleImporter;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigLoader;
import dev.berth.storage.DataDirectory;
import dev.berth.storage.FileBlobStore;
import dev.berth.storage.FileManifestStore;
import dev.berth.storage.FileMemberStore;
import dev.berth.storage.FileTagStore;
import dev.berth.storage.StoragePaths;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth import}: an OCI image layout archive into Berth's data directory. */
@Command(
    name = "import",
    mixinStandardHelpOptions = true,
    header = "Loads an OCI image layout archive into the data directory.",
    description = {
      "Loads an OCI image layout archive (as berth export writes it) into Berth's",
      "data directory, verifying every digest; its images are then served under",
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
    BundleImporter importer =
        new BundleImporter(
            new FileBlobStore(paths, 0),
            new FileManifestStore(paths),
            new FileTagStore(paths),
            new FileMemberStore(paths),
            Clock.systemUTC());
    BundleImporter.Imported imported = importer.load(archive, n -> {});
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "imported "
            + imported.images().size()
            + " images, "
            + imported.blobs()
            + " blobs, "
            + AdminApi.size(imported.bytes())
            + " into "
            + paths.root());
    imported.images().forEach(n -> out.println("  " + n));
    return 0;
  }
}
