package dev.tessera.opencl;

import dev.tessera.tensor.DType;

/**
 * The build options that type a kernel's operands. For an operand called {@code X} of dtype
 * {@code d}: {@code X_T} is its storage type, {@code X_KIND} names the load and store functions
 * of common.cl ({@code ld_BF16}, {@code st_BF16}, ...), {@code X_FLOAT} is 1 for a floating dtype,
 * and {@code X_ACC} is the type it computes in: float for F32, BF16 and F16, double for F64, long
 * for the integers and BOOL.
 */
final class ClTypes {
    private ClTypes() {}

    static String operand(String name, DType d) {
        return "-D" + name + "_T=" + storage(d) + " -D" + name + "_KIND=" + d.name() + " -D" + name + "_FLOAT="
                + (d.isFloating() ? 1 : 0) + " -D" + name + "_ACC=" + compute(d) + " ";
    }

    static String storage(DType d) {
        return switch (d) {
            case F32 -> "float";
            case F64 -> "double";
            case BF16, F16 -> "ushort";
            case I32 -> "int";
            case I64 -> "long";
            case BOOL -> "uchar";
        };
    }

    static String compute(DType d) {
        return switch (d) {
            case F32, BF16, F16 -> "float";
            case F64 -> "double";
            case I32, I64, BOOL -> "long";
        };
    }
}
