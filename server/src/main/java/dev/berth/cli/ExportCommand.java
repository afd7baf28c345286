package dev.berth.cli;

import dev.berth.bundle.BundleWriter;
import dev.berth.oci.ImageName;
import dev.berth.prefetch.Sources;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth export}: images from a running Berth into an OCI image layout archive. */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    header = "Writes images into an OCI image layout archive.",
    description = {
      "Writes images, read through a running Berth (which fetches what it lacks),",
      "into an OCI image layout archive for an air-gapped host: berth import loads",
      "it there, and skopeo (oci-archive:FILE:REF) and ctr import read it too.",
      "Exits 0 when written, 1 on a failure (no archive is left), 2 on a usage",
      "error."
    })
final class ExportCommand implements Callable<Integer> {
  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      required = true,
      description = "The archive to write, e.g. bundle.tar.")
  Path output;

  @CommandLine.Mixin AdminApi target = new AdminApi();

  @Option(
      names = "--platform",
      paramLabel = "P,...",
      description = "Platforms of an index to include (default: all).")
  String platform;

  @Parameters(paramLabel = "REF", arity = "1..*", description = "Image references.")
  List<String> refs = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    List<String> platforms;
    List<ImageName> names = new ArrayList<>();
    try {
      platforms = platform == null ? List.of() : Sources.platforms(platform, "--platform");
      for (String ref : refs) {
        names.add(ImageName.parse(ref));
      }
    } catch (Sources.SourceException | IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    URI base = target.base(cmd);
    PrintWriter out = cmd.getOut();
    BundleWriter writer = new BundleWriter(base, target.authorization(cmd));
    BundleWriter.Plan plan = writer.plan(names, platforms);
    long total = plan.bytes();
    AtomicLong done = new AtomicLong();
    boolean terminal = AdminApi.isTerminal();
    long started = System.nanoTime();
    AtomicLong shown = new AtomicLong(-1);
    writer.write(
        plan,
        output,
        n -> {
          long now = done.addAndGet(n);
          long percent = total == 0 ? 100 : now * 100 / total;
          if (terminal && shown.getAndSet(percent) != percent) {
            out.print(
                String.format(
                    Locale.ROOT,
                    "\r[%-24s] %s of %s%s",
                    "=".repeat((int) (percent * 24 / 100)),
                    AdminApi.size(now),
                    AdminApi.size(total),
                    "\u001b[K"));
            out.flush();
          }
        });
    if (terminal) {
      out.println();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    out.println(
        String.format(
            Locale.ROOT,
            "wrote %s: %d images, %d manifests, %d blobs, %s in %.1f s",
            output,
            plan.images().size(),
            plan.manifests().size(),
            plan.blobs().size(),
            AdminApi.size(total),
            seconds));
    plan.images().keySet().forEach(n -> out.println("  " + n));
    return 0;
  }
}
