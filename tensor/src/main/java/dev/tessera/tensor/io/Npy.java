package dev.tessera.tensor.io;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes NumPy's .npy files (format versions 1.0, 2.0 and 3.0) for the dtypes both
 * sides have: float32, float64, float16, int32, int64 and bool. NumPy has no bfloat16.
 *
 * <p>Reading copies the data into fresh memory (unlike {@link SafeTensors}). Big-endian data is
 * converted; a Fortran-order array comes back as the transposed view of its data, which has the
 * right shape and values (call {@link Tensor#contiguous()} for a row-major copy). A file must
 * hold exactly one array: anything wrong with it, including bytes after the data, is an
 * {@link IOException} naming the file and the problem.
 */
public final class Npy {
    private Npy() {}

    /**
     * The array in a .npy file.
     *
     * @throws IOException if the file cannot be read, is corrupt, or holds a dtype Tessera lacks
     */
    public static Tensor read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyHeader header = NpyHeader.read(file, channel);
            DType dtype = header.dtype();
            long[] shape = header.shape();
            long bytes;
            try {
                bytes = Math.multiplyExact(Shape.numel(shape), dtype.byteSize());
            } catch (ArithmeticException tooBig) {
                throw CorruptFile.error(file, "shape " + Shape.str(shape) + " holds more bytes than a long can count");
            }
            long available = channel.size() - header.dataOffset();
            if (available != bytes) {
                throw CorruptFile.error(file, "the header promises " + bytes + " bytes of " + dtype + " data for shape "
                        + Shape.str(shape) + " but " + available + " follow it: "
                        + (available < bytes ? "the file is truncated" : "a .npy file holds exactly one array"));
            }
            // Fortran order is row-major order of the reversed shape.
            Tensor t = Tensor.empty(dtype, Device.cpu(), header.fortranOrder() ? reversed(shape) : shape);
            MemorySegment data = t.storage().segment().asSlice(0, bytes);
            TensorBytes.readFully(file, channel, header.dataOffset(), data);
            if (header.bigEndian()) {
                TensorBytes.swapBytes(data, dtype.byteSize());
            }
            if (dtype == DType.BOOL) {
                TensorBytes.checkBooleans(file, data, "the array");
            }
            return header.fortranOrder() ? t.permute(reversedDims(shape.length)) : t;
        }
    }

    /**
     * Writes {@code t} as a version 1.0, C-order, little-endian .npy file, byte for byte as
     * NumPy's {@code np.save} would; views are written as their row-major contents. The file is
     * written under a temporary name and renamed over {@code file}.
     *
     * @throws IllegalArgumentException for a BF16 tensor: NumPy has no bfloat16 type
     */
    public static void write(Path file, Tensor t) throws IOException {
        byte[] header = NpyHeader.encode(t.dtype(), t.shape());
        AtomicFile.write(file, channel -> {
            TensorBytes.write(channel, MemorySegment.ofArray(header));
            TensorBytes.write(channel, TensorBytes.rowMajor(t));
        });
    }

    private static long[] reversed(long[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            out[i] = shape[shape.length - 1 - i];
        }
        return out;
    }

    private static int[] reversedDims(int rank) {
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = rank - 1 - i;
        }
        return dims;
    }
}
