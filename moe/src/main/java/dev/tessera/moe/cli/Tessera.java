package dev.tessera.moe.cli;

import java.io.PrintWriter;

/** The {@code tessera} program: the command line with {@link ModelActions}, its exit code the process's. */
public final class Tessera {
    private Tessera() {}

    public static void main(String[] args) {
        System.exit(TesseraCli.run(new ModelActions(), args, new PrintWriter(System.out, true),
                new PrintWriter(System.err, true)));
    }
}
