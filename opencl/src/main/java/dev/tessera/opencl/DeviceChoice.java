package dev.tessera.opencl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which OpenCL device Tessera uses: the one {@code TESSERA_OPENCL_DEVICE} names (an index into
 * the list of all devices of all platforms, or a case-insensitive substring of a device's name),
 * else the first GPU, else the first device.
 */
public final class DeviceChoice {
    /** A device as the choice sees it. */
    public record Candidate(String name, boolean gpu) {}

    private DeviceChoice() {}

    /**
     * The index of the chosen device in {@code all} (not empty).
     *
     * @param wanted the value of TESSERA_OPENCL_DEVICE, or null
     * @throws IllegalStateException when {@code wanted} names no device, with the list of devices
     */
    public static int choose(List<Candidate> all, String wanted) {
        if (wanted != null && !wanted.isBlank()) {
            String w = wanted.trim();
            if (w.chars().allMatch(Character::isDigit)) {
                int index = w.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(w);
                if (index >= all.size()) {
                    throw new IllegalStateException("TESSERA_OPENCL_DEVICE=" + w + ": there are only " + all.size()
                            + " OpenCL devices: " + names(all));
                }
                return index;
            }
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).name().toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT))) {
                    return i;
                }
            }
            throw new IllegalStateException("TESSERA_OPENCL_DEVICE=" + w + " matches no OpenCL device: " + names(all));
        }
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).gpu()) {
                return i;
            }
        }
        return 0;
    }

    private static String names(List<Candidate> all) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            out.add(i + ": " + all.get(i).name());
        }
        return String.join(", ", out);
    }
}
