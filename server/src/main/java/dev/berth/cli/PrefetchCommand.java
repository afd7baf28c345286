package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.berth.prefetch.ImageRequest;
import dev.berth.prefetch.Sources;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth prefetch}: has a running Berth pre-pull images, with progress. */
@Command(
    name = "prefetch",
    mixinStandardHelpOptions = true,
    header = "Has a running Berth pre-pull images.",
    description = {
      "Has a running Berth pre-pull images into its cache, where they are pinned",
      "and served whatever the upstream does. Images come from REFs, list files",
      "(a reference per line, optional platforms after it, # comments) and",
      "Dockerfiles (FROM lines, ARG defaults and --build-arg substituted, stages",
      "and scratch skipped). An image already held is confirmed with a HEAD and",
      "not fetched again. Exits 0 when every image is present, 1 when one failed",
      "(each listed with why), 2 on a usage error."
    })
final class PrefetchCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @CommandLine.Mixin AdminApi target = new AdminApi();

  @Option(
      names = "--platform",
      paramLabel = "P,...",
      description = "Platforms to pre-pull, e.g. linux/amd64,linux/arm64 (default: all).")
  String platform;

  @Option(names = "--file", paramLabel = "LIST", description = "A list file of references.")
  List<Path> files = new ArrayList<>();

  @Option(
      names = "--dockerfile",
      paramLabel = "FILE",
      description = "A Dockerfile whose base images to pre-pull.")
  List<Path> dockerfiles = new ArrayList<>();

  @Option(
      names = "--build-arg",
      paramLabel = "KEY=VALUE",
      description = "A build argument for the Dockerfiles' ARG lines.")
  Map<String, String> buildArgs = new LinkedHashMap<>();

  @Option(names = "--json", description = "Print the results as JSON, and no progress.")
  boolean json;

  @Parameters(paramLabel = "REF", arity = "0..*", description = "Image references.")
  List<String> refs = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    List<ImageRequest> images;
    try {
      images = images();
    } catch (Sources.SourceException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    if (images.isEmpty()) {
      throw new CommandLine.ParameterException(
          cmd, "no image to pre-pull: give REFs, --file or --dockerfile");
    }
    URI base = target.base(cmd);
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    Progress progress = new Progress(images.size(), !json && AdminApi.isTerminal(), out);
    List<JsonNode> results = new ArrayList<>();
    JsonNode summary = null;
    try (Stream<String> lines = AdminApi.prefetch(base, target.authorization(cmd), images, false)) {
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        JsonNode event = JSON.readTree(it.next());
        switch (event.path("event").asText()) {
          case "resolved" -> progress.resolved(event);
          case "blob" -> progress.blob(event);
          case "result" -> {
            results.add(event);
            if (!json) {
              progress.result(event);
            }
          }
          case "summary" -> summary = event;
          default -> {}
        }
      }
    }
    if (summary == null) {
      throw new IllegalStateException("Berth ended the prefetch without a summary");
    }
    List<JsonNode> failed = results.stream().filter(r -> !r.path("ok").asBoolean()).toList();
    if (json) {
      ObjectNode doc = JSON.createObjectNode();
      ArrayNode list = doc.putArray("results");
      results.forEach(list::add);
      doc.set("summary", summary);
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    } else {
      progress.end();
      long changed = results.stream().filter(r -> r.path("changed").asBoolean()).count();
      out.println(
          (results.size() - failed.size())
              + " of "
              + results.size()
              + " images present ("
              + changed
              + " new or changed, "
              + AdminApi.size(summary.path("fetchedBytes").asLong())
              + " fetched)");
      for (JsonNode f : failed) {
        err.println("failed: " + f.path("ref").asText() + ": " + f.path("error").asText());
      }
    }
    out.flush();
    return failed.isEmpty() ? 0 : 1;
  }

  private List<ImageRequest> images() throws IOException {
    List<String> wanted = platform == null ? List.of() : Sources.platforms(platform, "--platform");
    List<ImageRequest> images = new ArrayList<>();
    for (String ref : refs) {
      images.add(new ImageRequest(ref, wanted, ref));
    }
    for (Path f : files) {
      images.addAll(Sources.listFile(f, wanted));
    }
    for (Path f : dockerfiles) {
      images.addAll(Sources.dockerfile(f, buildArgs, wanted));
    }
    return images;
  }

  /** Progress: a bar rewritten in place on a terminal, a line per image otherwise. */
  private static final class Progress {
    private final int images;
    private final boolean terminal;
    private final PrintWriter out;
    private final long started = System.nanoTime();
    private int done;
    private int blobs;
    private int blobsDone;
    private long fetched;

    Progress(int images, boolean terminal, PrintWriter out) {
      this.images = images;
      this.terminal = terminal;
      this.out = out;
    }

    void resolved(JsonNode e) {
      blobs += e.path("blobs").asInt();
      draw();
    }

    void blob(JsonNode e) {
      blobsDone++;
      if (e.path("fetched").asBoolean()) {
        fetched += e.path("bytes").asLong();
      }
      draw();
    }

    void result(JsonNode r) {
      done++;
      if (terminal) {
        draw();
        return;
      }
      String ref = r.path("ref").asText();
      if (r.path("ok").asBoolean()) {
        List<String> platforms = new ArrayList<>();
        r.path("platforms").forEach(p -> platforms.add(p.asText()));
        out.println(
            String.format(
                Locale.ROOT,
                "[%d/%d] %s: %s %s, %d blobs, %s fetched%s",
                done,
                images,
                ref,
                r.path("changed").asBoolean() ? "new" : "unchanged",
                r.path("digest").asText(),
                r.path("blobs").asInt(),
                AdminApi.size(r.path("fetchedBytes").asLong()),
                platforms.isEmpty() ? "" : " (" + String.join(", ", platforms) + ")"));
      } else {
        out.println(
            String.format(
                Locale.ROOT,
                "[%d/%d] %s: FAILED: %s",
                done,
                images,
                ref,
                r.path("error").asText()));
      }
      out.flush();
    }

    private void draw() {
      if (!terminal) {
        return;
      }
      int width = 24;
      double part =
          images == 0 ? 1 : (done + (blobs == 0 ? 0 : (double) blobsDone / blobs)) / (images + 1.0);
      int filled = (int) Math.round(Math.min(1, part) * width);
      double seconds = Math.max(0.001, (System.nanoTime() - started) / 1e9);
      out.print(
          String.format(
              Locale.ROOT,
              "\r[%s%s] %d/%d images, %d/%d blobs, %s fetched, %s/s\u001b[K",
              "=".repeat(filled),
              " ".repeat(width - filled),
              done,
              images,
              blobsDone,
              blobs,
              AdminApi.size(fetched),
              AdminApi.size((long) (fetched / seconds))));
      out.flush();
    }

    void end() {
      if (terminal) {
        out.println();
      }
    }
  }
}
