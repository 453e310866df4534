package dev.tessera.bench.peers;

import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.cpu.Parallel;
import dev.tessera.tensor.io.Npy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import jdk.incubator.vector.FloatVector;

/**
 * Tessera's side of the side-by-side benchmark (bench/peers/peers.py): a long-lived process that
 * reads one command per line on stdin and answers each with one JSON line on stdout, so that the
 * driver can alternate Tessera and its peer call by call within the same seconds.
 *
 * <pre>
 * info                           the JVM, thread count and vector width
 * setup KERNEL DIR [KEY=VALUE]   builds a {@link PeerCases case} from DIR's .npy inputs
 * check OUTDIR                   runs it once and writes each output to OUTDIR/NAME.npy
 * time REPS                      runs it REPS times: the seconds of each call
 * parts REPS                     times the case's parts in turn, REPS rounds: each part's median and fastest seconds
 * memory                         runs it once: resident bytes before (free C heap trimmed) and the peak during it
 * quit
 * </pre>
 *
 * A failed command answers {@code {"error": "..."}} and the server goes on reading.
 */
public final class PeerServer {
    private static final long SETTLE_MILLIS = 300;

    private PeerCase current;

    private PeerServer() {}

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PeerServer server = new PeerServer();
        for (String line = in.readLine(); line != null && !line.strip().equals("quit"); line = in.readLine()) {
            if (line.isBlank()) {
                continue;
            }
            String answer;
            try {
                answer = server.handle(line.strip().split("\\s+"));
            } catch (Exception | OutOfMemoryError failure) {
                answer = "{\"error\": " + quote(line.strip() + ": " + failure) + "}";
            }
            out.println(answer);
        }
    }

    private String handle(String[] words) throws IOException, InterruptedException {
        return switch (words[0]) {
            case "info" -> "{\"java\": " + quote(Runtime.version().toString())
                    + ", \"vm\": " + quote(System.getProperty("java.vm.name"))
                    + ", \"threads\": " + Parallel.THREADS
                    + ", \"vector_bits\": " + FloatVector.SPECIES_PREFERRED.vectorBitSize()
                    + ", \"max_heap_bytes\": " + Runtime.getRuntime().maxMemory() + "}";
            case "setup" -> setup(words);
            case "check" -> check(Path.of(argument(words, 1)));
            case "time" -> time(Integer.parseInt(argument(words, 1)));
            case "parts" -> parts(Integer.parseInt(argument(words, 1)));
            case "memory" -> memory();
            default -> throw new IllegalArgumentException("unknown command " + words[0]);
        };
    }

    private String setup(String[] words) throws IOException {
        Map<String, String> params = new HashMap<>();
        for (int i = 3; i < words.length; i++) {
            String[] keyValue = words[i].split("=", 2);
            if (keyValue.length != 2) {
                throw new IllegalArgumentException("setup: parameter " + words[i] + " is not KEY=VALUE");
            }
            params.put(keyValue[0], keyValue[1]);
        }
        current = null; // drop the last case's tensors before reading the next one's
        current = PeerCases.create(argument(words, 1), Path.of(argument(words, 2)), params);
        return "{\"ok\": true}";
    }

    private String check(Path outDir) throws IOException {
        PeerCase c = requireCase();
        c.run();
        StringBuilder names = new StringBuilder();
        for (Map.Entry<String, Tensor> output : c.outputs().entrySet()) {
            Npy.write(outDir.resolve(output.getKey() + ".npy"), output.getValue());
            names.append(names.isEmpty() ? "" : ", ").append(quote(output.getKey()));
        }
        return "{\"outputs\": [" + names + "]}";
    }

    private String time(int reps) {
        PeerCase c = requireCase();
        StringBuilder seconds = new StringBuilder();
        for (int i = 0; i < reps; i++) {
            long start = System.nanoTime();
            c.run();
            long nanos = System.nanoTime() - start;
            seconds.append(i == 0 ? "" : ", ").append(nanos * 1e-9);
        }
        return "{\"seconds\": [" + seconds + "]}";
    }

    /** Round-robin over the parts (one call of each per round), so that a disturbance hits them alike. */
    private String parts(int reps) {
        Map<String, Runnable> parts = requireCase().parts();
        Map<String, double[]> seconds = new LinkedHashMap<>();
        parts.keySet().forEach(name -> seconds.put(name, new double[reps]));
        for (int i = 0; i < reps; i++) {
            for (Map.Entry<String, Runnable> part : parts.entrySet()) {
                long start = System.nanoTime();
                part.getValue().run();
                seconds.get(part.getKey())[i] = (System.nanoTime() - start) * 1e-9;
            }
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, double[]> part : seconds.entrySet()) {
            double[] sorted = part.getValue().clone();
            Arrays.sort(sorted);
            double median = (sorted[(reps - 1) / 2] + sorted[reps / 2]) / 2;
            out.append(out.isEmpty() ? "" : ", ").append(quote(part.getKey()))
                    .append(": {\"median_s\": ").append(median).append(", \"min_s\": ").append(sorted[0]).append('}');
        }
        return "{\"parts\": {" + out + "}}";
    }

    private String memory() throws IOException, InterruptedException {
        PeerCase c = requireCase();
        settle();
        boolean trimmed = ProcessMemory.trimMalloc();
        boolean reset = ProcessMemory.resetPeak();
        long before = ProcessMemory.residentBytes();
        long peakBefore = ProcessMemory.peakResidentBytes();
        c.run();
        long peak = ProcessMemory.peakResidentBytes();
        return "{\"trimmed\": " + trimmed + ", \"peak_reset\": " + reset + ", \"rss_before\": " + before
                + ", \"hwm_before\": " + peakBefore + ", \"hwm_after\": " + peak + "}";
    }

    /**
     * Lets the memory of tensors that died before the measurement go back now rather than during it
     * (the GC finds them, then cleaner threads free their blocks), so that it cannot offset growth.
     */
    private static void settle() throws InterruptedException {
        System.gc();
        Thread.sleep(SETTLE_MILLIS);
    }

    private PeerCase requireCase() {
        if (current == null) {
            throw new IllegalStateException("no case: send setup first");
        }
        return current;
    }

    private static String argument(String[] words, int index) {
        if (words.length <= index) {
            throw new IllegalArgumentException(words[0] + ": missing argument " + index);
        }
        return words[index];
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
