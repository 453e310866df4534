package dev.tessera.tests.ops;

import dev.tessera.tensor.Device;
import java.util.List;

/**
 * One bad call of an op and what its {@link IllegalArgumentException} message must contain
 * besides the op's name: the offending shape, dtype, dim or value.
 *
 * @param call the bad call; {@code home} is the device its tensors live on (a mismatched-device
 *     case puts one tensor elsewhere)
 */
record ErrorCase(String description, Call call, List<String> fragments) {
    interface Call {
        void run(Device home);
    }

    @Override
    public String toString() {
        return description;
    }
}
