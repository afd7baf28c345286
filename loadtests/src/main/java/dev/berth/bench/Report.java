package dev.berth.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmark's results as a Markdown table (median and range per system, Berth's ratio to each
 * peer, the target and whether it is met; with a baseline, whether Berth and the baseline agree)
 * and as JSON with every run's value.
 */
final class Report {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final List<String> SYSTEMS =
      List.of(Lab.BERTH, Lab.BASELINE, Lab.SHARED, Lab.NGINX, Lab.PROXY, Lab.DISTRIBUTION);

  private final Results results;
  private final Plan plan;
  private final Map<String, String> machine;
  private final List<Target> targets;

  Report(Results results, Plan plan, Map<String, String> machine, List<Target> targets) {
    this.results = results;
    this.plan = plan;
    this.machine = machine;
    this.targets = targets;
  }

  /** How the report names {@code system}. */
  static String name(String system) {
    return switch (system) {
      case Lab.BERTH -> "Berth";
      case Lab.BASELINE -> "Berth baseline";
      case Lab.SHARED -> "Berth, shared backends";
      case Lab.NGINX -> "nginx";
      case Lab.PROXY -> "Distribution proxy";
      case Lab.DISTRIBUTION -> "Distribution";
      default -> system;
    };
  }

  /** Targets not met, by metric id. */
  List<String> missed() {
    List<String> out = new ArrayList<>();
    results
        .all()
        .forEach(
            (m, runs) -> {
              if (targets(m).stream().anyMatch(t -> !t.isMet(runs))) {
                out.add(m.id());
              }
            });
    return out;
  }

  /** The systems measured, in the table's order; the baseline only when it was measured. */
  private List<String> systems() {
    return SYSTEMS.stream()
        .filter(s -> !s.equals(Lab.BASELINE) || hasBaseline())
        .filter(s -> !s.equals(Lab.SHARED) || measured(Lab.SHARED))
        .toList();
  }

  private boolean hasBaseline() {
    return measured(Lab.BASELINE);
  }

  private boolean measured(String system) {
    return results.all().values().stream().anyMatch(runs -> runs.containsKey(system));
  }

  /**
   * Whether Berth and the baseline agree on a row (each median inside the other's min–max), or
   * empty when the row has not both.
   */
  static Optional<Boolean> agrees(Map<String, List<Double>> runs) {
    List<Double> berth = runs.get(Lab.BERTH);
    List<Double> base = runs.get(Lab.BASELINE);
    return berth == null || base == null || berth.isEmpty() || base.isEmpty()
        ? Optional.empty()
        : Optional.of(Stats.agree(berth, base));
  }

  /** Rows where Berth and the baseline disagree, by metric id. */
  List<String> disagreements() {
    List<String> out = new ArrayList<>();
    results
        .all()
        .forEach((m, runs) -> agrees(runs).filter(a -> !a).ifPresent(a -> out.add(m.id())));
    return out;
  }

  String markdown() {
    StringBuilder b = new StringBuilder();
    List<String> systems = systems();
    boolean baseline = hasBaseline();
    b.append("Machine: ")
        .append(Machine.summary(machine))
        .append(". Plan: ")
        .append(plan.name())
        .append(", ")
        .append(plan.runs())
        .append(" runs per system, in alternation; median (min–max).\n\n");
    b.append("| scenario | unit |");
    systems.forEach(s -> b.append(' ').append(name(s)).append(" |"));
    b.append(" Berth / peer | target | met |");
    b.append(baseline ? " agrees with baseline |\n|---|---|" : "\n|---|---|");
    systems.forEach(s -> b.append("---|"));
    b.append(baseline ? "---|---|---|---|\n" : "---|---|---|\n");
    results.all().forEach((m, runs) -> row(b, systems, m, runs));
    if (baseline) {
      long compared = results.all().values().stream().filter(r -> agrees(r).isPresent()).count();
      b.append("\nBerth and the baseline agree (each median inside the other's min–max) on ")
          .append(compared - disagreements().size())
          .append(" of ")
          .append(compared)
          .append(" rows.\n");
    }
    if (!results.repeated().isEmpty()) {
      b.append("\nRuns repeated after a peer's error:\n\n");
      results.repeated().forEach(r -> b.append("- ").append(r).append('\n'));
    }
    return b.toString();
  }

  private void row(
      StringBuilder b, List<String> systems, Metric m, Map<String, List<Double>> runs) {
    b.append("| ").append(m.title()).append(" | ").append(m.unit().symbol()).append(" |");
    for (String s : systems) {
      List<Double> v = runs.get(s);
      b.append(' ').append(v == null ? "" : cell(m.unit(), Stats.of(v))).append(" |");
    }
    List<String> ratios = new ArrayList<>();
    ratios(runs).forEach((peer, r) -> ratios.add(String.format("%.2f × %s", r, name(peer))));
    List<Target> t = targets(m);
    b.append(' ')
        .append(String.join("; ", ratios))
        .append(" | ")
        .append(String.join("; ", t.stream().map(x -> x.text(m.unit())).toList()))
        .append(" | ")
        .append(String.join("; ", t.stream().map(x -> x.isMet(runs) ? "yes" : "**no**").toList()))
        .append(" |");
    if (systems.contains(Lab.BASELINE)) {
      b.append(' ').append(agrees(runs).map(a -> a ? "yes" : "**no**").orElse("")).append(" |");
    }
    b.append('\n');
  }

  private static String cell(Metric.Unit unit, Stats s) {
    return s.runs() == 1
        ? unit.format(s.median())
        : unit.format(s.median()) + " (" + unit.format(s.min()) + "–" + unit.format(s.max()) + ")";
  }

  /**
   * Berth's median over each peer's, for the peers measured; Berth on the shared backends is Berth
   * too, compared by its targets.
   */
  private static Map<String, Double> ratios(Map<String, List<Double>> runs) {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    List<Double> berth = runs.get(Lab.BERTH);
    for (String peer : SYSTEMS) {
      List<Double> p = runs.get(peer);
      if (berth != null && p != null && !peer.equals(Lab.BERTH) && !peer.equals(Lab.SHARED)) {
        double denominator = Stats.of(p).median();
        if (denominator != 0) {
          out.put(peer, Stats.of(berth).median() / denominator);
        }
      }
    }
    return out;
  }

  /** The targets of {@code m} whose system was measured. */
  private List<Target> targets(Metric m) {
    return targets.stream()
        .filter(t -> t.metric().equals(m.id()))
        .filter(t -> t.own().equals(Lab.BERTH) || measured(t.own()))
        .toList();
  }

  String json() {
    ObjectNode root = JSON.createObjectNode();
    root.putPOJO("machine", machine);
    root.putPOJO("plan", plan.describe());
    ArrayNode metrics = root.putArray("metrics");
    results.all().forEach((m, runs) -> metrics.add(metric(m, runs)));
    ArrayNode repeated = root.putArray("repeated");
    results.repeated().forEach(repeated::add);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode metric(Metric m, Map<String, List<Double>> runs) {
    ObjectNode n = JSON.createObjectNode();
    n.put("id", m.id()).put("title", m.title()).put("unit", m.unit().symbol());
    ObjectNode systems = n.putObject("systems");
    runs.forEach(
        (s, v) -> {
          Stats st = Stats.of(v);
          ObjectNode o = systems.putObject(s);
          o.put("median", st.median()).put("min", st.min()).put("max", st.max());
          o.putPOJO("runs", v);
        });
    n.putPOJO("ratios", ratios(runs));
    agrees(runs).ifPresent(a -> n.put("agreesWithBaseline", a));
    ArrayNode goals = n.putArray("targets");
    targets(m)
        .forEach(t -> goals.addObject().put("text", t.text(m.unit())).put("met", t.isMet(runs)));
    return n;
  }
}
