package dev.berth.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Distribution's access log (combined format), read from a mark onwards: how many requests the
 * upstream answered and how many bytes it sent, as the fan-in scenarios count them.
 */
final class AccessLog {
  private static final Pattern LINE =
      Pattern.compile("\"([A-Z]+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) (\\d+|-) \"[^\"]*\" \"([^\"]*)\"");

  private AccessLog() {}

  /** One request the registry answered. */
  record Request(String method, String path, int status, long bytes, String agent) {}

  /** What part of the upstream's traffic a scenario caused: requests for one path. */
  record Traffic(int gets, int heads, long bytesSent) {}

  /** A position in the log: the requests logged after it. */
  record Mark(Path file, long offset) {
    /** The requests logged since the mark, once the log has been quiet for 300 ms. */
    List<Request> requests() {
      awaitQuiet();
      List<Request> out = new ArrayList<>();
      for (String line : readFrom(file, offset).split("\n")) {
        Matcher m = LINE.matcher(line);
        if (m.find()) {
          long bytes = m.group(4).equals("-") ? 0 : Long.parseLong(m.group(4));
          out.add(
              new Request(m.group(1), m.group(2), Integer.parseInt(m.group(3)), bytes, m.group(5)));
        }
      }
      return out;
    }

    /**
     * GETs, HEADs and the bytes sent for paths containing {@code fragment}, to clients whose user
     * agent starts with {@code agent} (so that a late request of another system is not counted).
     */
    Traffic traffic(String fragment, String agent) {
      int gets = 0;
      int heads = 0;
      long bytes = 0;
      for (Request r : requests()) {
        if (!r.path().contains(fragment) || !r.agent().startsWith(agent)) {
          continue;
        }
        if (r.method().equals("GET")) {
          gets++;
          bytes += r.bytes();
        } else if (r.method().equals("HEAD")) {
          heads++;
        }
      }
      return new Traffic(gets, heads, bytes);
    }

    private void awaitQuiet() {
      long size = size(file);
      for (int quiet = 0; quiet < 6; ) {
        Http.sleepMillis(50);
        long now = size(file);
        quiet = now == size ? quiet + 1 : 0;
        size = now;
      }
    }
  }

  static Mark mark(Path file) {
    return new Mark(file, size(file));
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readFrom(Path file, long offset) {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
      byte[] bytes = new byte[(int) Math.max(0, f.length() - offset)];
      f.seek(offset);
      f.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
