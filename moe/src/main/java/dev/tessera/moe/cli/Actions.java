package dev.tessera.moe.cli;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * What the commands do once their flags are checked. An {@link IOException} (a missing or corrupt
 * file found while working) or an {@link IllegalArgumentException} (a bad value inside a config
 * file) reaches the user as one line and exit code 1.
 */
public interface Actions {
    /** Trains (or resumes) a model, writes the run's folder, and says where the report is. */
    TrainOutcome train(TrainRequest request) throws IOException;

    /** Loads a checkpoint and writes the prompt's continuation to {@code out}. */
    void generate(GenerateRequest request, PrintWriter out) throws IOException;

    /** Loads a checkpoint and writes its model summary and held-out routing statistics to {@code out}. */
    void inspect(InspectRequest request, PrintWriter out) throws IOException;
}
