package dev.berth.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Reader;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML document as a Jackson tree, with {@code ${VAR}} and {@code ${VAR:-default}} expanded in
 * scalar values and the line of every key path remembered, so that errors can name the line.
 */
final class YamlTree {
  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");

  private final String file;
  private final UnaryOperator<String> env;
  private final Map<String, Integer> lines = new HashMap<>();

  private YamlTree(String file, UnaryOperator<String> env) {
    this.file = file;
    this.env = env;
  }

  /** The result: the tree and the lines of its key paths. */
  record Parsed(JsonNode root, Map<String, Integer> lines) {}

  static Parsed parse(String file, Reader reader, UnaryOperator<String> env) {
    YamlTree tree = new YamlTree(file, env);
    Node root;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      root = new Yaml(options).compose(reader);
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 1 : e.getProblemMark().getLine() + 1;
      throw new ConfigException(file + ":" + line + ": not valid YAML: " + e.getProblem());
    } catch (RuntimeException e) {
      throw new ConfigException(file + ": not valid YAML: " + e.getMessage());
    }
    if (root == null) {
      return new Parsed(JsonNodeFactory.instance.objectNode(), Map.of());
    }
    return new Parsed(tree.convert(root, ""), tree.lines);
  }

  private JsonNode convert(Node node, String path) {
    lines.put(path, node.getStartMark().getLine() + 1);
    if (node instanceof MappingNode mapping) {
      ObjectNode object = JsonNodeFactory.instance.objectNode();
      for (NodeTuple tuple : mapping.getValue()) {
        String key = ((ScalarNode) tuple.getKeyNode()).getValue();
        String child = path.isEmpty() ? key : path + "." + key;
        lines.put(child, tuple.getKeyNode().getStartMark().getLine() + 1);
        object.set(key, convert(tuple.getValueNode(), child));
        lines.put(child, tuple.getKeyNode().getStartMark().getLine() + 1);
      }
      return object;
    }
    if (node instanceof SequenceNode sequence) {
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      for (int i = 0; i < sequence.getValue().size(); i++) {
        array.add(convert(sequence.getValue().get(i), path + "[" + i + "]"));
      }
      return array;
    }
    ScalarNode scalar = (ScalarNode) node;
    if (scalar.getScalarStyle() == ScalarStyle.PLAIN && NULL.matcher(scalar.getValue()).matches()) {
      return JsonNodeFactory.instance.nullNode();
    }
    return JsonNodeFactory.instance.textNode(expand(scalar.getValue(), path));
  }

  private String expand(String value, String path) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String found = env.apply(m.group(1));
      if (found == null && m.group(2) == null) {
        throw new ConfigException(
            file
                + ":"
                + lines.get(path)
                + ": "
                + path
                + ": environment variable "
                + m.group(1)
                + " is not set (write ${"
                + m.group(1)
                + ":-default} to give a default)");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(found != null ? found : m.group(3)));
    }
    m.appendTail(out);
    return out.toString();
  }
}
