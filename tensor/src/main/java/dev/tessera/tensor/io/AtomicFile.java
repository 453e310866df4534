package dev.tessera.tensor.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a file whole or not at all: the bytes go to a temporary file in the target's folder,
 * which is fsync'd and then renamed over the target. A crash or an exception part-way leaves the
 * previous file as it was (and at worst a stray {@code .NAME.*.tmp} file after a crash). A
 * target that is a symbolic link is replaced by a regular file, as with any rename.
 */
public final class AtomicFile {
    /** What writes the file's content. */
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    private static final AtomicLong COUNTER = new AtomicLong();

    private AtomicFile() {}

    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path temp = createTemporary(absolute);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
        FolderSync.force(absolute.getParent());
    }

    /** A new empty file beside {@code target}, with default permissions (umask), unlike Files.createTempFile's 0600. */
    private static Path createTemporary(Path target) throws IOException {
        while (true) {
            Path temp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + "-"
                    + COUNTER.incrementAndGet() + ".tmp");
            try {
                Files.createFile(temp);
                return temp;
            } catch (FileAlreadyExistsException leftByACrash) {
                // try the next name
            }
        }
    }
}
