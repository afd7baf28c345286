package dev.berth.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads a {@link BerthConfig} from YAML. Every error becomes a {@link ConfigException} whose
 * message names the file, the line and the key: {@code berth.yaml:12: upstreams[1].endpoints[0]:
 * not a URL: "htp:/x"}.
 */
public final class ConfigLoader {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .addModule(new SimpleModule().addDeserializer(Duration.class, new DurationReader()))
          .build();

  private final UnaryOperator<String> env;

  /** A loader that expands {@code ${VAR}} from {@code env}. */
  public ConfigLoader(UnaryOperator<String> env) {
    this.env = env;
  }

  /** A loader that expands {@code ${VAR}} from the process environment. */
  public static ConfigLoader withSystemEnv() {
    return new ConfigLoader(System::getenv);
  }

  /**
   * Reads and validates {@code file}, then checks every file it names (certificates, keys, secrets,
   * htpasswd): for a server about to start, which would otherwise find a bad file at the first
   * request that needs it. Every problem is reported, each as {@code file:line: key: ...}.
   */
  public BerthConfig loadForServing(Path file) {
    BerthConfig config = load(file);
    List<ConfigFiles.Problem> problems = ConfigFiles.check(config);
    if (problems.isEmpty()) {
      return config;
    }
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    Map<String, Integer> lines = parsedLines(file);
    StringBuilder message = new StringBuilder();
    for (ConfigFiles.Problem p : problems) {
      String at = p.key();
      while (!at.isEmpty() && !lines.containsKey(at)) {
        at = parentOf(at);
      }
      if (message.length() > 0) {
        message.append('\n');
      }
      message
          .append(name)
          .append(':')
          .append(lines.getOrDefault(at, 1))
          .append(": ")
          .append(p.key())
          .append(": ")
          .append(p.message());
    }
    throw new ConfigException(message.toString());
  }

  private Map<String, Integer> parsedLines(Path file) {
    try {
      String name = String.valueOf(file.getFileName());
      return YamlTree.parse(name, new StringReader(Files.readString(file)), env).lines();
    } catch (IOException e) {
      return Map.of();
    }
  }

  /** Reads and validates {@code file}. */
  public BerthConfig load(Path file) {
    String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
    return parse(name, new StringReader(text));
  }

  /** Reads and validates YAML from {@code reader}; {@code name} is used in messages. */
  public BerthConfig parse(String name, Reader reader) {
    YamlTree.Parsed parsed = YamlTree.parse(name, reader, env);
    try {
      return MAPPER.treeToValue(parsed.root(), BerthConfig.class);
    } catch (JsonMappingException e) {
      throw describe(name, parsed.lines(), e);
    } catch (IOException e) {
      throw new ConfigException(name + ": " + e.getMessage(), e);
    }
  }

  private static ConfigException describe(
      String file, Map<String, Integer> lines, JsonMappingException e) {
    String path = pathOf(e);
    String problem = problemOf(e);
    Throwable cause = e.getCause();
    if (cause instanceof InvalidValueException invalid && !invalid.path().isEmpty()) {
      path = invalid.path();
    }
    String at = path;
    while (!at.isEmpty() && !lines.containsKey(at)) {
      at = parentOf(at);
    }
    int line = lines.getOrDefault(at, 1);
    return new ConfigException(
        file + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + problem, e);
  }

  private static String problemOf(JsonMappingException e) {
    if (e.getCause() instanceof IllegalArgumentException invalid && invalid.getMessage() != null) {
      return invalid.getMessage();
    }
    if (e instanceof UnrecognizedPropertyException unknown) {
      return "unknown key \""
          + unknown.getPropertyName()
          + "\" (known keys: "
          + String.join(
              ", ", unknown.getKnownPropertyIds().stream().map(Object::toString).sorted().toList())
          + ")";
    }
    if (e instanceof InvalidFormatException format) {
      return "not a valid "
          + simpleType(format.getTargetType())
          + ": \""
          + format.getValue()
          + "\"";
    }
    if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
      return "expected " + simpleType(mismatched.getTargetType());
    }
    return e.getOriginalMessage();
  }

  private static String simpleType(Class<?> type) {
    if (type == null) {
      return "value";
    }
    if (java.util.Collection.class.isAssignableFrom(type)) {
      return "list";
    }
    return switch (type.getSimpleName()) {
      case "int", "Integer", "long", "Long" -> "whole number";
      case "boolean", "Boolean" -> "boolean (true or false)";
      case "String" -> "string";
      default -> "mapping of " + type.getSimpleName();
    };
  }

  private static String pathOf(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String parentOf(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut < 0 ? "" : path.substring(0, cut);
  }

  /** Reads durations in Berth's form ({@code 30s}, {@code 10m}) instead of ISO-8601. */
  private static final class DurationReader extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      return Durations.parse(p.getValueAsString());
    }
  }
}
