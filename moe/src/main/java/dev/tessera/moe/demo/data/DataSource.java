package dev.tessera.moe.demo.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a run's text comes from: the flag {@code synthetic} or {@code text:PATH}. */
public sealed interface DataSource {
    /** The project's generated corpus ({@link SyntheticCorpus}). */
    record Synthetic() implements DataSource {
        @Override
        public Corpus open(long seed, int windowBytes) {
            return new SyntheticCorpus(seed);
        }

        @Override
        public String toString() {
            return "synthetic";
        }
    }

    /** UTF-8 files at a path ({@link TextCorpus}). */
    record Text(Path path) implements DataSource {
        @Override
        public Corpus open(long seed, int windowBytes) throws IOException {
            return TextCorpus.open(path, seed, windowBytes);
        }

        @Override
        public String toString() {
            return "text:" + path;
        }
    }

    /**
     * The corpus, deterministic from {@code seed}; a text corpus cuts windows of at most
     * {@code windowBytes} bytes.
     */
    Corpus open(long seed, int windowBytes) throws IOException;

    /**
     * Reads the flag's value.
     *
     * @throws IllegalArgumentException for anything but {@code synthetic} or {@code text:PATH} with an
     *     existing PATH, in one line that says what was expected
     */
    static DataSource parse(String value) {
        if (value.equals("synthetic")) {
            return new Synthetic();
        }
        if (value.startsWith("text:")) {
            String where = value.substring("text:".length());
            if (where.isEmpty()) {
                throw new IllegalArgumentException("text: needs a path, as in text:notes.txt or text:books/");
            }
            Path path = Path.of(where);
            if (!Files.exists(path)) {
                throw new IllegalArgumentException(value + ": no such file or folder");
            }
            return new Text(path);
        }
        throw new IllegalArgumentException("'" + value + "' is neither synthetic nor text:PATH");
    }
}
