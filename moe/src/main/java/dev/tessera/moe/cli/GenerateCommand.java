package dev.tessera.moe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera generate}: checks the flags and runs {@link Actions#generate}. */
@Command(name = "generate", description = "Continue a prompt with a trained model: greedy at temperature 0,"
        + " sampled above it.", sortOptions = false)
final class GenerateCommand implements Callable<Integer> {
    private final Actions actions;

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "The checkpoint folder to load.")
    Path checkpoint;

    @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "The text to continue, e.g. \"12+35=\".")
    String prompt;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "64", description = "At most N new tokens (default: 64).")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0",
            description = "0 for greedy decoding (default), above 0 to sample.")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1",
            description = "Sample from the smallest set of tokens whose probability reaches P, in (0, 1] (default: 1).")
    double topP;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "The sampling's random seed (default: 0).")
    long seed;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    GenerateCommand(Actions actions) {
        this.actions = actions;
    }

    @Override
    public Integer call() throws Exception {
        FlagChecks.folder(spec, "--checkpoint", checkpoint);
        FlagChecks.atLeastOne(spec, "--max-tokens", maxTokens);
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw FlagChecks.error(spec, "--temperature must be 0 or more, got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw FlagChecks.error(spec, "--top-p must be in (0, 1], got " + topP);
        }
        actions.generate(new GenerateRequest(checkpoint, prompt, maxTokens, temperature, topP, seed),
                spec.commandLine().getOut());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
