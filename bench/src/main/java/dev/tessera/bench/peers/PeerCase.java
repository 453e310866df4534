package dev.tessera.bench.peers;

import dev.tessera.tensor.Tensor;
import java.util.Map;

/** One kernel call that the {@link PeerServer} sets up once and then checks, times or measures. */
interface PeerCase {
    /** Runs the kernel once, keeping its results for {@link #outputs}. */
    void run();

    /** The results of the last {@link #run}, by the names the Python driver gives the same results. */
    Map<String, Tensor> outputs();

    /**
     * Pieces of the kernel, or related calls, that the server times side by side in this JVM (the
     * {@code parts} command), by name; none by default.
     */
    default Map<String, Runnable> parts() {
        return Map.of();
    }
}
