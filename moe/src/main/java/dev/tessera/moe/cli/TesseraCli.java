package dev.tessera.moe.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code tessera} command and its subcommands, wired to {@link Actions}. Exit codes: 0 done,
 * 2 a usage mistake (an unknown or bad flag, a missing file), 1 a failure while working on the
 * user's files (a corrupt checkpoint, a bad config value); each error is one line on standard error.
 */
public final class TesseraCli {
    /** Exit code of a failure while working (an IOException or a bad value found in a file). */
    public static final int FAILED = 1;

    private TesseraCli() {}

    @Command(name = "tessera", description = "Train, sample from and inspect DeepSeek-style MoE transformers.",
            synopsisSubcommandLabel = "(train | generate | inspect)")
    static final class Root implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
        boolean help;

        @Override
        public Integer call() {
            throw new CommandLine.ParameterException(spec.commandLine(), "missing a command: train, generate or inspect");
        }
    }

    /** The command line with its three subcommands running {@code actions}. */
    public static CommandLine commandLine(Actions actions, Clock clock) {
        CommandLine cli = new CommandLine(new Root())
                .addSubcommand(new TrainCommand(actions, clock))
                .addSubcommand(new GenerateCommand(actions))
                .addSubcommand(new InspectCommand(actions));
        cli.setParameterExceptionHandler(TesseraCli::usageError);
        cli.setExecutionExceptionHandler(TesseraCli::failure);
        return cli;
    }

    /** Runs {@code args}, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(Actions actions, String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine(actions, Clock.systemDefaultZone());
        cli.setOut(out);
        cli.setErr(err);
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** A usage mistake: one line naming the command, then where help is; never the usage text or a stack trace. */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        String name = cli.getCommandSpec().qualifiedName();
        String message = oneLine(e.getMessage()).replaceFirst("^Error: ", "");
        cli.getErr().println(name + ": " + message + " (see " + name + " --help)");
        cli.getErr().flush();
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * A failure while working: one line for what the user's files can cause (an IOException, a bad value
     * in a config file); anything else is a bug, and its stack trace is what a bug report needs.
     */
    private static int failure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof IOException || e instanceof UncheckedIOException || e instanceof IllegalArgumentException) {
            cli.getErr().println(cli.getCommandSpec().qualifiedName() + ": " + oneLine(e.getMessage()));
            cli.getErr().flush();
            return FAILED;
        }
        throw e;
    }

    private static String oneLine(String message) {
        return message == null ? "failed" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
