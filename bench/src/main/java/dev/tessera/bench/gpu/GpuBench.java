package dev.tessera.bench.gpu;

import dev.tessera.opencl.OpenClBackend;
import dev.tessera.tensor.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Tessera's side of bench/gpu (run.sh): SGEMM, flash attention forward and forward+backward, and the
 * DeepSeekMoE layer on the OpenCL device, each checked, then timed; one JSON line per case
 * (torch_peer.py writes the same cases for PyTorch; report.py pairs them).
 *
 * <p>Usage: {@code GpuBench [--quick] [--pass N] [--out FILE] [--budget-s S] [--case-s S] [--only PREFIX]
 * [--device NAME]}
 * <br>{@code GpuBench --probe} prints the OpenCL device and exits (0 when one works).
 * <br>--quick: small sizes, for a CPU OpenCL (PoCL). --budget-s: cases not started within it are
 * "not run". --case-s: the timed calls' share of each case. --only: kernels whose name starts so.
 * --device: another device than opencl (cpu: to try the benchmark itself on a machine without OpenCL).
 * Exits 1 when a case failed (a wrong result or an error other than a missing kernel).
 */
public final class GpuBench {
    private GpuBench() {}

    public static void main(String[] args) throws IOException {
        boolean quick = false;
        int pass = 1;
        Path out = null;
        double budget = 150;
        double caseSeconds = 0.5;
        String only = "";
        Device device = Device.opencl();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--probe" -> {
                    System.out.println("OpenCL device: " + OpenClBackend.deviceDescription());
                    return;
                }
                case "--quick" -> quick = true;
                case "--pass" -> pass = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--budget-s" -> budget = Double.parseDouble(args[++i]);
                case "--case-s" -> caseSeconds = Double.parseDouble(args[++i]);
                case "--only" -> only = args[++i];
                case "--device" -> device = Device.of(args[++i]);
                default -> throw new IllegalArgumentException("GpuBench: unknown argument " + args[i]
                        + "; usage: [--quick] [--pass N] [--out FILE] [--budget-s S] [--case-s S] [--only PREFIX] [--device NAME] | --probe");
            }
        }
        boolean failed;
        try (CaseRunner runner = new CaseRunner(device, pass, caseSeconds, budget, only, out)) {
            JsonLine about = runner.record("device").put("quick", quick).put("java", Runtime.version().toString());
            try {
                about.put("device", device == Device.opencl() ? OpenClBackend.deviceDescription() : device.toString());
            } catch (RuntimeException | LinkageError e) {
                about.put("error", e.toString());
            }
            runner.write(about);
            for (var family : List.<Family>of(MatmulCases::run, AttentionCases::run, MoeCases::run)) {
                family.run(runner, quick);
            }
            failed = runner.anyFailed();
        }
        System.exit(failed ? 1 : 0);
    }

    /** One kernel family's cases. */
    private interface Family {
        void run(CaseRunner runner, boolean quick);
    }
}
