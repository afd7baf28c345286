package dev.berth.cli;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import dev.berth.config.BerthConfig;
import dev.berth.config.ConfigException;
import dev.berth.config.ConfigLoader;
import dev.berth.config.Durations;
import dev.berth.config.UpstreamConfig;
import dev.berth.metrics.BerthMetrics;
import dev.berth.upstream.UpstreamClient;
import dev.berth.upstream.UpstreamFailure;
import dev.berth.upstream.Upstreams;
import dev.berth.upstream.auth.Authenticator;
import dev.berth.upstream.auth.Challenge;
import dev.berth.upstream.auth.CredentialSource;
import dev.berth.upstream.auth.Token;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code berth creds}: the upstream credentials Berth would use. */
@Command(
    name = "creds",
    mixinStandardHelpOptions = true,
    header = "Checks the credentials Berth uses toward its upstreams.",
    description = "Checks the credentials Berth uses toward its upstream registries.",
    subcommands = {CredsCommand.Check.class, CommandLine.HelpCommand.class})
final class CredsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** {@code berth creds check}: one line per upstream; exit 0 when every check passes, 1 if not. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "For each upstream: which source supplied credentials, whether a token can be minted for",
        "a pull scope (and a push scope where push is on), and how long it lives. Exits 0 when",
        "all pass, 1 otherwise with one line per failure saying what to fix, 2 on a usage or",
        "configuration error. Host patterns (*.gcr.io) are checked for the hosts named."
      })
  static final class Check implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
    Path config;

    @Option(
        names = "--repository",
        paramLabel = "REPO",
        defaultValue = "library/alpine",
        description = "Repository the token scopes name (default: ${DEFAULT-VALUE}).")
    String repository;

    @Parameters(
        paramLabel = "UPSTREAM",
        arity = "0..*",
        description = "Upstream hosts to check; all configured hosts when none are named.")
    List<String> hosts = new ArrayList<>();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
      BerthConfig cfg =
          config == null ? BerthConfig.defaults() : ConfigLoader.withSystemEnv().load(config);
      PrintWriter out = spec.commandLine().getOut();
      List<String> targets = hosts.isEmpty() ? configuredHosts(cfg, out) : hosts;
      ExecutorService blocking = Executors.newCachedThreadPool();
      List<String> failures = new ArrayList<>();
      try (Upstreams upstreams =
          new Upstreams(cfg, new BerthMetrics(), blocking, System.getenv())) {
        for (String host : targets) {
          UpstreamConfig upstream =
              cfg.upstreamFor(host)
                  .orElseThrow(
                      () ->
                          new ConfigException("no upstream in the configuration matches " + host));
          try {
            out.println(
                host
                    + ": "
                    + check(upstreams.client(host, upstream), upstream.push(), repository).line());
          } catch (CheckFailed | CredentialSource.CredentialException e) {
            String line = host + ": FAILED: " + e.getMessage();
            out.println(line);
            failures.add(line);
          }
          out.flush();
        }
      } finally {
        blocking.shutdownNow();
      }
      if (!failures.isEmpty()) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(failures.size() + " of " + targets.size() + " upstreams failed:");
        failures.forEach(err::println);
      }
      return failures.isEmpty() ? 0 : 1;
    }

    private static List<String> configuredHosts(BerthConfig cfg, PrintWriter out) {
      List<String> found = new ArrayList<>();
      for (UpstreamConfig u : cfg.upstreams()) {
        if (u.name().isPattern()) {
          out.println(u.name() + ": skipped: a host pattern; name a host it matches to check it");
        } else {
          found.add(u.name().text());
        }
      }
      return found;
    }

    /**
     * Checks {@code client}'s credentials with a token for {@code repository} (and a push scope
     * when {@code push}); throws {@link CheckFailed} saying what to fix.
     */
    static Checked check(UpstreamClient client, boolean push, String repository) {
      Authenticator auth = client.authenticator();
      CredentialSource source = auth.source();
      Optional<CredentialSource.Supplied> supplied = source.get();
      String from = supplied.map(CredentialSource.Supplied::source).orElse("none (anonymous)");
      URI endpoint = client.endpoints().get(0);
      AggregatedHttpResponse bare = await(client.ping(Optional.empty()), endpoint);
      if (bare.status().code() == 200) {
        return new Checked(
            "ok; credentials: " + from + "; " + endpoint + " needs no authentication", null);
      }
      Optional<Challenge> challenge =
          Challenge.parse(
              bare.headers().get(com.linecorp.armeria.common.HttpHeaderNames.WWW_AUTHENTICATE));
      if (bare.status().code() != 401 || challenge.isEmpty()) {
        throw new CheckFailed(endpoint + "/v2/ answered " + bare.status() + " without a challenge");
      }
      if (challenge.get().isBasic()) {
        if (supplied.isEmpty()) {
          throw new CheckFailed(
              endpoint
                  + " asks for Basic credentials and "
                  + source.describe()
                  + " has none: "
                  + "set credentials for this upstream");
        }
        AggregatedHttpResponse res =
            await(client.ping(Optional.of(supplied.get().credential().basic())), endpoint);
        if (res.status().code() != 200) {
          throw new CheckFailed(
              endpoint + " refused the credentials from " + from + " (" + res.status() + ")");
        }
        return new Checked("ok; credentials: " + from + "; Basic authentication accepted", null);
      }
      StringBuilder line = new StringBuilder("ok; credentials: ").append(from);
      java.time.Duration shortest = null;
      List<String> scopes = new ArrayList<>();
      scopes.add("repository:" + repository + ":pull");
      if (push) {
        scopes.add("repository:" + repository + ":pull,push");
      }
      for (String scope : scopes) {
        Token token = await(auth.mintFresh(endpoint, challenge.get(), scope), endpoint);
        AggregatedHttpResponse res =
            await(client.ping(Optional.of("Bearer " + token.value())), endpoint);
        if (res.status().code() != 200) {
          throw new CheckFailed(
              endpoint + " refused the token minted for " + scope + " (" + res.status() + ")");
        }
        if (shortest == null || token.lifetime().compareTo(shortest) < 0) {
          shortest = token.lifetime();
        }
        line.append("; token for ")
            .append(scope)
            .append(" lives ")
            .append(Durations.format(token.lifetime()));
      }
      return new Checked(line.toString(), shortest);
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f, URI endpoint) {
      try {
        return f.get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | CompletionException e) {
        Throwable cause = UpstreamFailure.unwrap(e.getCause() == null ? e : e.getCause());
        throw new CheckFailed(
            (cause.getMessage() == null ? cause.toString() : cause.getMessage()) + hint(cause));
      } catch (java.util.concurrent.TimeoutException e) {
        throw new CheckFailed(endpoint + " gave no answer within 60 s");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CheckFailed("interrupted");
      }
    }

    private static String hint(Throwable cause) {
      if (cause instanceof dev.berth.errors.UpstreamException u
          && (u.status() == 401 || u.status() == 403)) {
        return "; fix this upstream's credentials (username, password or token)";
      }
      return "";
    }
  }

  /**
   * A check that passed.
   *
   * @param line what was checked, for people
   * @param tokenLifetime how long the shortest token minted lives, or null when none was minted
   */
  record Checked(String line, java.time.@Nullable Duration tokenLifetime) {}

  /** A check that did not pass; its message says what failed and what to fix. */
  static final class CheckFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CheckFailed(String message) {
      super(message);
    }
  }
}
