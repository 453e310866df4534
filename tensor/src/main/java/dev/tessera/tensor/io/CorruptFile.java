package dev.tessera.tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/** The one shape of error a reader gives for a bad file: the file's name, then what is wrong with it. */
final class CorruptFile {
    private CorruptFile() {}

    static IOException error(Path file, String what) {
        return new IOException(file + ": " + what);
    }
}
