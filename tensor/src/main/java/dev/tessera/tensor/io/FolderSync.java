package dev.tessera.tensor.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Makes changes to a folder's entries (a rename, a new file) durable, as fsync does for a file's bytes. */
public final class FolderSync {
    private FolderSync() {}

    /**
     * Forces {@code folder}'s entries to disk. Some platforms (Windows) cannot open a folder; there
     * a rename is as durable as they make it, and this does nothing.
     */
    public static void force(Path folder) {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException platformCannotSyncFolders) {
            // nothing more can be done on such a platform; the files themselves were fsync'd before
        }
    }
}
