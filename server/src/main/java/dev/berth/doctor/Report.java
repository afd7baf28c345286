package dev.berth.doctor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The doctor's findings in order (each file's together, by line; files in the order first named),
 * for people or as JSON. Immutable.
 */
public final class Report {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Finding> findings;
  private final long errors;

  public Report(List<Finding> found) {
    List<String> files = new ArrayList<>();
    for (Finding f : found) {
      if (!files.contains(f.file())) {
        files.add(f.file());
      }
    }
    List<Finding> sorted = new ArrayList<>(found);
    sorted.sort(
        Comparator.<Finding>comparingInt(f -> files.indexOf(f.file()))
            .thenComparingInt(Finding::line));
    this.findings = List.copyOf(sorted);
    this.errors = sorted.stream().filter(f -> f.severity() == Finding.Severity.ERROR).count();
  }

  public boolean hasErrors() {
    return errors > 0;
  }

  /** One line per finding and one for its fix, then the counts. */
  public String text() {
    StringBuilder out = new StringBuilder();
    for (Finding f : findings) {
      out.append(f.where()).append(": ").append(f.severity()).append(": ").append(f.message());
      out.append('\n');
      if (f.fix() != null) {
        out.append("  fix: ").append(f.fix()).append('\n');
      }
    }
    if (!findings.isEmpty()) {
      out.append('\n');
    }
    long warnings = findings.size() - errors;
    return out.append(errors)
        .append(errors == 1 ? " error, " : " errors, ")
        .append(warnings)
        .append(warnings == 1 ? " warning" : " warnings")
        .append('\n')
        .toString();
  }

  /** {@code {"findings": [...], "errors": n, "warnings": n}}, indented. */
  public String json() {
    ObjectNode doc = JSON.createObjectNode();
    ArrayNode list = doc.putArray("findings");
    for (Finding f : findings) {
      ObjectNode n = list.addObject();
      n.put("severity", f.severity().toString());
      n.put("file", f.file());
      n.put("line", f.line());
      n.put("message", f.message());
      n.put("fix", f.fix());
    }
    doc.put("errors", errors);
    doc.put("warnings", findings.size() - errors);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
