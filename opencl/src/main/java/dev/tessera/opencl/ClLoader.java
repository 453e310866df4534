package dev.tessera.opencl;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.lwjgl.opencl.CL;
import org.lwjgl.system.Configuration;

/**
 * Loads the OpenCL ICD loader through LWJGL. Distributions ship it as {@code libOpenCL.so.1} and
 * add the {@code libOpenCL.so} link only with the development package, so both names are tried
 * (after {@code -Dorg.lwjgl.opencl.libname} when it is set).
 */
final class ClLoader {
    static final String INSTALL_HINT = "install an OpenCL ICD loader and a driver: on Debian or Ubuntu "
            + "`apt-get install ocl-icd-libopencl1 pocl-opencl-icd` (PoCL runs OpenCL on the CPU), or your GPU "
            + "vendor's OpenCL driver";

    private static boolean loaded;

    private ClLoader() {}

    static synchronized void load() {
        if (loaded) {
            return;
        }
        Configuration.OPENCL_EXPLICIT_INIT.set(true);
        Set<String> names = new LinkedHashSet<>();
        String configured = Configuration.OPENCL_LIBRARY_NAME.get();
        if (configured != null) {
            names.add(configured);
        }
        names.add("libOpenCL.so.1");
        names.add("libOpenCL.so");
        List<String> failures = new ArrayList<>();
        for (String name : names) {
            try {
                CL.create(name);
                loaded = true;
                return;
            } catch (Throwable e) {
                failures.add(name + ": " + e.getMessage());
            }
        }
        throw new IllegalStateException("OpenCL: no ICD loader found (tried " + String.join("; ", failures) + "); "
                + INSTALL_HINT);
    }
}
