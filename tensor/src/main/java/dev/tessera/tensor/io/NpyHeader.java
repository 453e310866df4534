package dev.tessera.tensor.io;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Shape;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The header of a .npy file, read and checked, or written byte for byte as NumPy writes it.
 *
 * <p>The layout: the magic {@code \x93NUMPY}, the version (1.0, 2.0 or 3.0), the header length
 * (a little-endian u16 in 1.0, u32 after), then a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }} padded with spaces and a
 * newline so that the data starts at a multiple of 64 bytes. Versions 1.0 and 2.0 encode the
 * header in Latin-1, 3.0 in UTF-8.
 *
 * @param bigEndian whether the data is big-endian ('>') and needs its bytes swapped
 * @param fortranOrder whether the data is in column-major order
 * @param dataOffset where the array data starts in the file
 */
record NpyHeader(DType dtype, boolean bigEndian, boolean fortranOrder, long[] shape, long dataOffset) {
    /** NumPy's own limit on the header it reads from a file it does not trust. */
    static final int MAX_HEADER_BYTES = 10_000;
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    /** NumPy leaves room for the first dim to grow to this many digits, so that appending can rewrite the header in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    /** Reads and checks the header at the start of {@code channel}. */
    static NpyHeader read(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < MAGIC.length + 4) {
            throw CorruptFile.error(file, "the file is " + size + " bytes long, too short for a .npy file");
        }
        byte[] preamble = new byte[(int) Math.min(size, MAGIC.length + 6)];
        TensorBytes.readFully(file, channel, 0, MemorySegment.ofArray(preamble));
        if (!Arrays.equals(preamble, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw CorruptFile.error(file, "not a .npy file: it does not start with \\x93NUMPY");
        }
        int major = preamble[6] & 0xFF;
        int minor = preamble[7] & 0xFF;
        if (major < 1 || major > 3 || minor != 0) {
            throw CorruptFile.error(file, "unsupported .npy format version " + major + "." + minor
                    + " (Tessera reads 1.0, 2.0 and 3.0)");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        if (preamble.length < 8 + lengthBytes) {
            throw CorruptFile.error(file, "the file is " + size + " bytes long, too short for a version " + major
                    + " .npy preamble");
        }
        MemorySegment view = MemorySegment.ofArray(preamble);
        long headerLength = major == 1
                ? Short.toUnsignedLong(view.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8))
                : Integer.toUnsignedLong(view.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
        if (headerLength > MAX_HEADER_BYTES) {
            throw CorruptFile.error(file, "the header length field says " + headerLength + " bytes, more than the "
                    + MAX_HEADER_BYTES + " NumPy itself reads: the field is corrupt");
        }
        long dataOffset = 8 + lengthBytes + headerLength;
        if (dataOffset > size) {
            throw CorruptFile.error(file, "the header length field says " + headerLength + " bytes but only "
                    + (size - 8 - lengthBytes) + " follow it: the file is truncated or the field is corrupt");
        }
        byte[] headerBytes = new byte[(int) headerLength];
        TensorBytes.readFully(file, channel, 8 + lengthBytes, MemorySegment.ofArray(headerBytes));
        String text = major == 3
                ? StrictUtf8.decode(file, headerBytes, "the header")
                : new String(headerBytes, StandardCharsets.ISO_8859_1);
        return interpret(file, PythonLiteral.parseDict(text, file), dataOffset);
    }

    private static NpyHeader interpret(Path file, Map<String, Object> dict, long dataOffset) throws IOException {
        if (!dict.keySet().equals(KEYS)) {
            throw CorruptFile.error(file, "the header must have exactly the keys descr, fortran_order and shape; it has "
                    + dict.keySet());
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw CorruptFile.error(file, "descr must be a string, found " + dict.get("descr"));
        }
        if (!(dict.get("fortran_order") instanceof Boolean fortranOrder)) {
            throw CorruptFile.error(file, "fortran_order must be True or False, found " + dict.get("fortran_order"));
        }
        if (!(dict.get("shape") instanceof List<?> dims)) {
            throw CorruptFile.error(file, "shape must be a tuple of integers, found " + dict.get("shape"));
        }
        long[] shape = dims.stream().mapToLong(d -> (Long) d).toArray();
        for (long d : shape) {
            if (d < 0) {
                throw CorruptFile.error(file, "shape " + Shape.str(shape) + " has a negative size");
            }
        }
        DType dtype = descr.length() == 3 ? dtypeOf(descr.substring(1)) : null;
        char order = descr.isEmpty() ? '?' : descr.charAt(0);
        boolean orderFits = dtype != null && (dtype.byteSize() == 1 ? order == '|' : order == '<' || order == '>');
        if (!orderFits) {
            throw CorruptFile.error(file, "unsupported dtype descr '" + descr
                    + "' (Tessera reads <f4 <f8 <f2 <i4 <i8 |b1, and the big-endian forms >f4 >f8 >f2 >i4 >i8)");
        }
        return new NpyHeader(dtype, order == '>', fortranOrder, shape, dataOffset);
    }

    /**
     * The preamble and header NumPy's {@code np.save} writes for a C-order little-endian array:
     * version 1.0, padded to 64 bytes.
     *
     * @throws IllegalArgumentException for BF16, which NumPy has no type for, or a header over NumPy's limit
     */
    static byte[] encode(DType dtype, long[] shape) {
        String code = typeCode(dtype);
        if (code == null) {
            throw new IllegalArgumentException("Npy.write: NumPy has no bfloat16 type, so a BF16 tensor of shape "
                    + Shape.str(shape) + " cannot be written as .npy; convert it first (t.to(DType.F32)) or use SafeTensors");
        }
        StringBuilder header = new StringBuilder("{'descr': '").append(dtype.byteSize() == 1 ? '|' : '<').append(code)
                .append("', 'fortran_order': False, 'shape': ").append(tuple(shape)).append(", }");
        if (shape.length > 0) {
            header.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length()));
        }
        int prefix = MAGIC.length + 2 + 2;
        int withNewline = header.length() + 1;
        int padding = ALIGN - (prefix + withNewline) % ALIGN;
        int length = withNewline + padding;
        if (length > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("Npy.write: a tensor of rank " + shape.length + " needs a " + length
                    + "-byte header, more than the " + MAX_HEADER_BYTES + " NumPy reads");
        }
        byte[] out = new byte[prefix + length];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = 1;
        out[7] = 0;
        out[8] = (byte) length;
        out[9] = (byte) (length >>> 8);
        byte[] text = header.toString().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, out, prefix, text.length);
        Arrays.fill(out, prefix + text.length, out.length - 1, (byte) ' ');
        out[out.length - 1] = '\n';
        return out;
    }

    /** Python's repr of a tuple of ints: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
    private static String tuple(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        return "(" + String.join(", ", Arrays.stream(shape).mapToObj(Long::toString).toList()) + ")";
    }

    /** NumPy's kind and size for a dtype, without the byte order; null for BF16, which NumPy lacks. */
    private static String typeCode(DType dtype) {
        return switch (dtype) {
            case F32 -> "f4";
            case F64 -> "f8";
            case F16 -> "f2";
            case I32 -> "i4";
            case I64 -> "i8";
            case BOOL -> "b1";
            case BF16 -> null;
        };
    }

    private static DType dtypeOf(String code) {
        for (DType d : DType.values()) {
            if (code.equals(typeCode(d))) {
                return d;
            }
        }
        return null;
    }
}
