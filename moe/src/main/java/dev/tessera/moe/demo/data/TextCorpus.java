package dev.tessera.moe.demo.data;

import dev.tessera.tensor.io.StrictUtf8;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A corpus of UTF-8 text read from a file or a folder of files (recursively; names starting with
 * a dot are skipped), as bytes. Up to {@link #MAX_KINDS} files, each file is its own kind, named
 * by its path under the folder; more files are all of one kind, {@code text}.
 *
 * <p>The last tenth of each file (at least one byte of a file of two or more) is held out: cut into
 * consecutive windows, taken round-robin over the files. Training windows start at random places
 * in the first nine tenths and never reach the held-out bytes. Windows start and end on character
 * boundaries, so a multi-byte character is never cut.
 */
public final class TextCorpus implements Corpus {
    /** More files than this share one kind. */
    public static final int MAX_KINDS = 12;
    private static final String SHARED_KIND = "text";

    private final List<String> kinds;
    private final List<Document> documents;
    private final long seed;
    private final int windowBytes;
    private final long trainBytes;

    /** One file: its kind, its bytes, and where its held-out tail begins. */
    private record Document(int kind, byte[] bytes, int heldOutStart) {}

    private TextCorpus(List<String> kinds, List<Document> documents, long seed, int windowBytes) {
        this.kinds = kinds;
        this.documents = documents;
        this.seed = seed;
        this.windowBytes = windowBytes;
        this.trainBytes = documents.stream().mapToLong(Document::heldOutStart).sum();
    }

    /**
     * Reads {@code path}, a UTF-8 file or a folder of them; samples are windows of at most
     * {@code windowBytes} bytes.
     *
     * @throws IOException when the path is missing, holds no text, or a file is not valid UTF-8
     *     (naming the file and the byte)
     */
    public static TextCorpus open(Path path, long seed, int windowBytes) throws IOException {
        if (windowBytes < 4) {
            throw new IllegalArgumentException("TextCorpus: windows of " + windowBytes
                    + " bytes are too short to hold a character; need at least 4");
        }
        List<Path> files = textFiles(path);
        boolean kindPerFile = files.size() <= MAX_KINDS;
        List<String> kinds = new ArrayList<>();
        List<Document> documents = new ArrayList<>();
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            StrictUtf8.decode(file, bytes, "the file");
            if (bytes.length == 0) {
                continue;
            }
            int kind;
            if (kindPerFile) {
                kind = kinds.size();
                kinds.add(Files.isDirectory(path) ? path.relativize(file).toString() : file.getFileName().toString());
            } else {
                kind = 0;
                if (kinds.isEmpty()) {
                    kinds.add(SHARED_KIND);
                }
            }
            documents.add(new Document(kind, bytes, heldOutStart(bytes)));
        }
        if (documents.isEmpty()) {
            throw new IOException(path + ": no text to train on (" + files.size() + " files, all empty)");
        }
        return new TextCorpus(List.copyOf(kinds), List.copyOf(documents), seed, windowBytes);
    }

    private static List<Path> textFiles(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new IOException(path + ": no such file or folder");
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(path)) {
            files = walk.filter(p -> !hidden(path.relativize(p)) && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        }
        if (files.isEmpty()) {
            throw new IOException(path + ": no files in the folder");
        }
        return files;
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** The start of the last tenth, on a character boundary; the file's length when it is under two bytes. */
    private static int heldOutStart(byte[] bytes) {
        if (bytes.length < 2) {
            return bytes.length;
        }
        int tail = Math.max(1, bytes.length / 10);
        int start = bytes.length - tail;
        while (start > 1 && continuation(bytes[start])) {
            start--;
        }
        return start;
    }

    private static boolean continuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    @Override
    public List<String> kinds() {
        return kinds;
    }

    @Override
    public Iterator<Sample> train() {
        SampleRandom random = new SampleRandom(seed, 0);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Sample next() {
                return trainWindow(random);
            }
        };
    }

    /** A document drawn in proportion to its training bytes, then a window at a uniform start in them. */
    private Sample trainWindow(SampleRandom random) {
        long at = Long.remainderUnsigned((long) random.nextBits() << 32 | (random.nextBits() & 0xFFFFFFFFL), trainBytes);
        Document document = documents.getFirst();
        for (Document d : documents) {
            if (at < d.heldOutStart()) {
                document = d;
                break;
            }
            at -= d.heldOutStart();
        }
        int end = document.heldOutStart();
        int start = end <= windowBytes ? 0 : random.nextInt(end - windowBytes + 1);
        return window(document, start, end);
    }

    /** The bytes from {@code start} (moved forward to a character's start) for at most a window, before {@code limit}. */
    private Sample window(Document document, int start, int limit) {
        byte[] bytes = document.bytes();
        while (start < limit && continuation(bytes[start])) {
            start++;
        }
        int end = Math.min(limit, start + windowBytes);
        while (end > start && end < bytes.length && continuation(bytes[end])) {
            end--;
        }
        return new Sample(document.kind(), Arrays.copyOfRange(bytes, start, end), 0, false);
    }

    @Override
    public List<Sample> heldOut(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("TextCorpus.heldOut: max must be non-negative, got " + max);
        }
        int[] next = documents.stream().mapToInt(Document::heldOutStart).toArray();
        List<Sample> out = new ArrayList<>();
        boolean any = true;
        while (out.size() < max && any) {
            any = false;
            for (int d = 0; d < documents.size() && out.size() < max; d++) {
                Document document = documents.get(d);
                if (next[d] < document.bytes().length) {
                    Sample window = window(document, next[d], document.bytes().length);
                    out.add(window);
                    next[d] += window.bytes().length;
                    any = true;
                }
            }
        }
        return out;
    }
}
