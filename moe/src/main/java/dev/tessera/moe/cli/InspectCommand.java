package dev.tessera.moe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera inspect}: checks the flag and runs {@link Actions#inspect}. */
@Command(name = "inspect", description = "Show a checkpoint's model summary and its routing statistics on held-out"
        + " data, per layer and expert.")
final class InspectCommand implements Callable<Integer> {
    private final Actions actions;

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "The checkpoint folder to load.")
    Path checkpoint;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    InspectCommand(Actions actions) {
        this.actions = actions;
    }

    @Override
    public Integer call() throws Exception {
        FlagChecks.folder(spec, "--checkpoint", checkpoint);
        actions.inspect(new InspectRequest(checkpoint), spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
