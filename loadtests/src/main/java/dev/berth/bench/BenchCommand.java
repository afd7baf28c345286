package dev.berth.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code berth-bench}: measures Berth against Distribution and nginx, side by side. */
@Command(
    name = "berth-bench",
    mixinStandardHelpOptions = true,
    description = {
      "Starts Distribution (upstream and pull-through proxy), nginx and Berth on",
      "127.0.0.1 (Berth a second time on PostgreSQL and s3proxy unless --no-shared),",
      "runs each scenario on each system in alternation and writes results.md and",
      "results.json to --out.",
      "",
      "Exit codes: 0 every answer was right (targets are reported, not enforced",
      "unless --require-targets), 1 a check failed or a system misbehaved, 2 usage",
      "error or missing programs, 3 a target was missed with --require-targets.",
      ""
    })
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--smoke", description = "Small blobs and short runs: checks answers in seconds.")
  boolean smoke;

  @Option(
      names = "--runs",
      paramLabel = "N",
      description = "Measured runs per system (default: 7; smoke: 2).")
  Integer runs;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "loadtests/target/bench",
      description = "Where results.md and results.json go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--work",
      paramLabel = "DIR",
      description =
          "Working directory for data and servers (default: a new temporary one, removed at the end).")
  Path work;

  @Option(
      names = "--berth",
      paramLabel = "LAUNCHER",
      defaultValue = "berth",
      description = "Berth's launcher script (default: ${DEFAULT-VALUE}, of this checkout).")
  Path launcher;

  @Option(
      names = "--baseline",
      paramLabel = "LAUNCHER",
      description = {
        "Another build's launcher script (e.g. of a checkout of main): measured as a second",
        "Berth in the same run, in alternation, and compared row by row."
      })
  Path baseline;

  @Option(
      names = "--java-option",
      paramLabel = "OPT",
      description = "A JVM option for Berth (BERTH_JAVA_OPTS), repeatable (default: none).")
  List<String> javaOptions = new ArrayList<>();

  @Option(
      names = "--only",
      paramLabel = "PREFIX",
      split = ",",
      description = "Only scenarios whose title starts with one of these (e.g. warm,manifest).")
  List<String> only = new ArrayList<>();

  @Option(
      names = "--shared",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = {
        "Measure Berth on the shared backends too (PostgreSQL from Debian's postgresql,",
        "s3proxy from --s3proxy) in the warm, cold and push scenarios (default: on)."
      })
  boolean shared;

  @Option(
      names = "--s3proxy",
      paramLabel = "JAR",
      defaultValue = "loadtests/target/s3proxy/s3proxy.jar",
      description = "s3proxy's jar with dependencies (default: ${DEFAULT-VALUE}).")
  Path s3proxy;

  @Option(names = "--require-targets", description = "Exit 3 when a target is missed.")
  boolean requireTargets;

  @Override
  public Integer call() throws IOException {
    Tools.requireAll();
    requireExecutable("--berth", launcher);
    Optional<Launcher> base = Optional.ofNullable(baseline).map(b -> launcher(b));
    base.ifPresent(b -> requireExecutable("--baseline", b.script()));
    Plan plan = smoke ? Plan.smoke() : Plan.full();
    if (runs != null) {
      plan = plan.withRuns(runs);
    }
    Progress progress = new Progress(System.err);
    boolean temporary = work == null;
    Path dir = temporary ? Files.createTempDirectory("berth-bench") : Files.createDirectories(work);
    Results results = new Results();
    Map<String, String> machine = Machine.describe();
    Optional<Path> objectStore = shared ? Optional.of(s3proxy.toAbsolutePath()) : Optional.empty();
    try (Lab lab = Lab.start(plan, dir, launcher(launcher), base, objectStore, progress);
        HeadLoad heads = new HeadLoad()) {
      Thread stopper = new Thread(lab::close, "bench-stop");
      Runtime.getRuntime().addShutdownHook(stopper);
      try {
        new Runner(plan.runs(), progress).runAll(scenarios(lab, heads), results);
      } finally {
        // What was measured before a failure is still reported.
        Runtime.getRuntime().removeShutdownHook(stopper);
        write(new Report(results, plan, machine, Target.all()), progress);
      }
    } finally {
      if (temporary) {
        deleteTree(dir);
      }
    }
    Report report = new Report(results, plan, machine, Target.all());
    List<String> missed = report.missed();
    return requireTargets && !missed.isEmpty() ? 3 : 0;
  }

  private Launcher launcher(Path script) {
    return new Launcher(script.toAbsolutePath(), javaOptions);
  }

  private void requireExecutable(String option, Path script) {
    if (!Files.isExecutable(script)) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), option + ": not an executable file: " + script);
    }
  }

  private List<Scenario> scenarios(Lab lab, HeadLoad heads) {
    Wrk wrk = new Wrk(lab.work.resolve("wrk"));
    List<Scenario> all = new ArrayList<>();
    all.add(new WarmBlob(lab, 1));
    all.add(new WarmBlob(lab, lab.plan.warmClients()));
    all.add(WarmBlob.fromObjectStore(lab, 1));
    all.add(new ColdBlob(lab, lab.data.cold, 1));
    all.add(new ColdBlob(lab, lab.data.cold, lab.plan.fanInClients()));
    all.add(new ColdBlob(lab, lab.data.many, lab.plan.manyClients()));
    for (boolean byTag : new boolean[] {false, true}) {
      all.add(new ManifestRate(lab, wrk, heads, "GET", byTag));
      all.add(new ManifestRate(lab, wrk, heads, "HEAD", byTag));
    }
    all.add(new Startup(lab));
    all.add(new Push(lab, false));
    all.add(new Push(lab, true));
    return only.isEmpty()
        ? all
        : all.stream().filter(s -> only.stream().anyMatch(p -> s.title().startsWith(p))).toList();
  }

  private void write(Report report, Progress progress) throws IOException {
    Files.createDirectories(out);
    String markdown = report.markdown();
    Files.writeString(out.resolve("results.md"), markdown);
    Files.writeString(out.resolve("results.json"), report.json());
    System.out.print(markdown);
    progress.step("wrote " + out.resolve("results.md") + " and results.json");
    report.missed().forEach(m -> progress.step("target missed: " + m));
    report.disagreements().forEach(m -> progress.step("Berth and the baseline differ on: " + m));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line; its exit code. */
  static int run(String... args) {
    return new CommandLine(new BenchCommand())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              cmd.getErr().println("berth-bench: " + e.getMessage());
              return e instanceof BenchException ? 1 : 2;
            })
        .execute(args);
  }
}
