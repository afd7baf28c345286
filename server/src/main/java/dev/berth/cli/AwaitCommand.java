package dev.berth.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.berth.config.Durations;
import dev.berth.push.ForwardStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth await}: waits until pushed content has reached its upstreams. */
@Command(
    name = "await",
    mixinStandardHelpOptions = true,
    header = "Waits until pushes have reached their upstreams.",
    description = {
      "Waits until the given pushes, or with --all every forward not yet done,",
      "have reached their upstreams, printing progress. A REF is the name pushed",
      "to Berth (localhost:5000/ghcr.io/org/app:1.2) or the upstream's",
      "(ghcr.io/org/app:1.2); the latest push of each counts.",
      "Exits 0 when all are upstream; 1 when one failed for good, is not known",
      "to Berth, the timeout passed, or Berth stayed unreachable for 30 s;",
      "2 on a usage error."
    })
final class AwaitCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration UNREACHABLE = Duration.ofSeconds(30);

  /** Berth could not be reached. */
  private static final class Unreachable extends IOException {
    private static final long serialVersionUID = 1L;

    Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @CommandLine.Mixin AdminApi target = new AdminApi();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "1h",
      description = "How long to wait, e.g. 90s, 30m, 2h (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--all", description = "Wait for every forward that is not done.")
  boolean all;

  @Parameters(paramLabel = "REF", arity = "0..*", description = "Pushed references to wait for.")
  List<String> refs = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The latest forward of one reference, as Berth lists it. */
  private record Forward(
      String ref, String state, long size, @Nullable String lastError, String acceptedAt) {
    boolean done() {
      return state.equals("done");
    }

    boolean failed() {
      return state.equals("failed");
    }
  }

  @Override
  public Integer call() throws Exception {
    if (all == !refs.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), all ? "give REFs or --all, not both" : "give REFs or --all");
    }
    Duration limit;
    try {
      limit = Durations.parse(timeout);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--timeout: " + e.getMessage());
    }
    URI base = target.base(spec.commandLine());
    Optional<String> authorization = target.authorization(spec.commandLine());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean terminal = AdminApi.isTerminal();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    long deadline = System.nanoTime() + limit.toNanos();
    Set<String> followed = new HashSet<>();
    String shown = "";
    long unreachableSince = 0;
    while (true) {
      ForwardStatus status;
      try {
        status = fetch(http, base, authorization);
        unreachableSince = 0;
      } catch (Unreachable e) {
        // A Berth restarting (it resumes its forwards) is waited for a while; a missing one is not.
        long now = System.nanoTime();
        unreachableSince = unreachableSince == 0 ? now : unreachableSince;
        if (now - unreachableSince > UNREACHABLE.toNanos() || now > deadline) {
          throw new IllegalStateException(e.getMessage(), e);
        }
        Thread.sleep(POLL.toMillis());
        continue;
      }
      Map<String, Forward> latest = latest(status);
      List<Forward> watched = new ArrayList<>();
      if (all) {
        for (Forward f : latest.values()) {
          if (!f.done() || followed.contains(f.ref())) {
            followed.add(f.ref());
            watched.add(f);
          }
        }
      } else {
        for (String r : refs) {
          Forward f = find(latest, r, base);
          if (f == null) {
            err.println("berth: " + base.getAuthority() + " knows no push of " + r);
            return 1;
          }
          watched.add(f);
        }
      }
      String line = progress(watched);
      if (!line.equals(shown)) {
        if (terminal) {
          out.print("\r" + line + "\u001b[K");
        } else {
          out.println(line);
        }
        out.flush();
        shown = line;
      }
      List<Forward> failed = watched.stream().filter(Forward::failed).toList();
      boolean finished = watched.stream().allMatch(f -> f.done() || f.failed());
      if (finished) {
        if (terminal) {
          out.println();
        }
        failed.forEach(f -> err.println("failed: " + f.ref() + ": " + f.lastError()));
        if (failed.isEmpty()) {
          out.println(
              watched.isEmpty()
                  ? "nothing to forward"
                  : "all " + watched.size() + " forwarded to their upstreams");
        }
        out.flush();
        return failed.isEmpty() ? 0 : 1;
      }
      if (System.nanoTime() > deadline) {
        if (terminal) {
          out.println();
        }
        err.println("berth: still not forwarded after " + Durations.format(limit) + ":");
        watched.stream()
            .filter(f -> !f.done())
            .forEach(
                f ->
                    err.println(
                        "  "
                            + f.ref()
                            + ": "
                            + f.state()
                            + (f.lastError() == null ? "" : " (" + f.lastError() + ")")));
        return 1;
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  private static ForwardStatus fetch(HttpClient http, URI base, Optional<String> authorization)
      throws IOException {
    URI status = base.resolve("/_berth/v1/forwarding");
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(status).timeout(Duration.ofSeconds(30));
      // The status is open; credentials are sent when given, for a proxy in front of Berth.
      authorization.ifPresent(a -> request.header("authorization", a));
      HttpResponse<byte[]> res =
          http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      if (res.statusCode() != 200) {
        throw new IllegalStateException(status + " answered " + res.statusCode());
      }
      return JSON.readValue(res.body(), ForwardStatus.class);
    } catch (ConnectException e) {
      throw new Unreachable("cannot reach Berth at " + base + ": connection refused", e);
    } catch (java.net.http.HttpTimeoutException e) {
      throw new Unreachable("Berth at " + base + " did not answer: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The latest forward of each upstream reference. */
  private static Map<String, Forward> latest(ForwardStatus status) {
    Map<String, Forward> latest = new LinkedHashMap<>();
    for (List<ForwardStatus.Entry> list :
        List.of(status.done(), status.failed(), status.pending(), status.inFlight())) {
      for (ForwardStatus.Entry n : list == null ? List.<ForwardStatus.Entry>of() : list) {
        Forward f = new Forward(n.ref(), n.state(), n.size(), n.lastError(), n.acceptedAt());
        Forward before = latest.get(f.ref());
        if (before == null || before.acceptedAt().compareTo(f.acceptedAt()) <= 0) {
          latest.put(f.ref(), f);
        }
      }
    }
    return latest;
  }

  /** The forward {@code ref} names, as pushed to Berth or as the upstream's reference. */
  private static @Nullable Forward find(Map<String, Forward> latest, String ref, URI base) {
    String r = ref.replaceFirst("^[a-z]+://", "");
    String berthPrefix = base.getAuthority() + "/";
    if (r.startsWith(berthPrefix)) {
      r = r.substring(berthPrefix.length());
    }
    int slash = r.lastIndexOf('/');
    if (!r.contains("@") && r.indexOf(':', slash + 1) < 0) {
      r = r + ":latest";
    }
    Forward f = latest.get(r);
    if (f != null) {
      return f;
    }
    // Another name for this Berth (localhost:5000 for 127.0.0.1:5000), or a plain name that went
    // to the default upstream.
    for (Forward candidate : latest.values()) {
      String c = candidate.ref();
      if (r.endsWith("/" + c) || c.endsWith("/" + r)) {
        return candidate;
      }
    }
    return null;
  }

  private static String progress(List<Forward> watched) {
    long done = watched.stream().filter(Forward::done).count();
    long failed = watched.stream().filter(Forward::failed).count();
    long bytes = watched.stream().mapToLong(Forward::size).sum();
    long bytesDone = watched.stream().filter(Forward::done).mapToLong(Forward::size).sum();
    return String.format(
        Locale.ROOT,
        "forwarded %d/%d (%s of %s)%s",
        done,
        watched.size(),
        AdminApi.size(bytesDone),
        AdminApi.size(bytes),
        failed > 0 ? ", " + failed + " failed" : "");
  }
}
