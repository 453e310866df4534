package dev.tessera.tensor.cpu;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes the CPU kernels use, chosen once: the preferred float species of this machine,
 * or {@code -Dtessera.vector.bits=128|256|512} (capped at the preferred size), or {@code 0} for the
 * scalar fallback. Every kernel loops its vector body to {@link #bound} and finishes with scalar
 * code that computes the same formulas, so the fallback is the same loops with no vector body.
 */
final class Simd {
    /** Whether the vector bodies run at all. */
    static final boolean VECTOR;
    /** The float species (a valid species even when {@link #VECTOR} is false, so that code can name it). */
    static final VectorSpecies<Float> F;
    /** Floats per vector. */
    static final int LANES;
    /** Bytes with as many lanes as {@link #F}, for BOOL masks; null when no such species exists (under 8 lanes). */
    static final VectorSpecies<Byte> B;
    /** MemorySegments are read and written in the platform's order, as {@code DType} does. */
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    static {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int bits = Math.min(Integer.getInteger("tessera.vector.bits", preferred), preferred);
        VECTOR = bits >= 128;
        F = VECTOR ? VectorSpecies.of(float.class, VectorShape.forBitSize(bits)) : FloatVector.SPECIES_128;
        LANES = F.length();
        B = VECTOR && LANES >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8)) : null;
    }

    private Simd() {}

    /**
     * The lanes of {@code v} added first to last. Not {@code reduceLanes(ADD)}: its float order is
     * unspecified, and the interpreter and the compiled code do differ, so the bits of a result
     * would change once its loop is compiled.
     */
    static float addLanes(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }

    /** The end of the vector body for {@code n} elements: a multiple of {@link #LANES}, or 0 in scalar mode. */
    static long bound(long n) {
        return VECTOR ? n - n % LANES : 0;
    }
}
