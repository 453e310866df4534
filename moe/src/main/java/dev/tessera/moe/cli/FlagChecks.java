package dev.tessera.moe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Checks of flag values picocli cannot make alone; each failure is a usage error naming the flag. */
final class FlagChecks {
    private FlagChecks() {}

    static CommandLine.ParameterException error(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static void file(CommandSpec spec, String flag, Path path) {
        if (!Files.exists(path)) {
            throw error(spec, flag + " " + path + ": no such file");
        }
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw error(spec, flag + " " + path + ": not a readable file");
        }
    }

    static void folder(CommandSpec spec, String flag, Path path) {
        if (!Files.exists(path)) {
            throw error(spec, flag + " " + path + ": no such folder");
        }
        if (!Files.isDirectory(path)) {
            throw error(spec, flag + " " + path + ": not a folder");
        }
    }

    static void atLeastOne(CommandSpec spec, String flag, long value) {
        if (value < 1) {
            throw error(spec, flag + " must be at least 1, got " + value);
        }
    }
}
