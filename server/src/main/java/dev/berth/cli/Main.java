package dev.berth.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code berth} command line. Exit codes: 0 done, 1 failed, 2 usage or configuration error. */
@Command(
    name = "berth",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A registry-side caching proxy for container builds.",
    subcommands = {
      ServeCommand.class,
      AwaitCommand.class,
      PrefetchCommand.class,
      ExportCommand.class,
      ImportCommand.class,
      MigrateCommand.class,
      CredsCommand.class,
      ClientConfigCommand.class,
      ImportDaemonJsonCommand.class,
      DoctorCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit status for a usage or configuration error. */
  public static final int USAGE = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs {@code args} and returns the exit code. */
  public static int run(String... args) {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(new Failures())
        .setExitCodeExceptionMapper(t -> Failures.exitCode(t))
        .execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"berth " + (v == null ? "development build" : v)};
    }
  }
}
