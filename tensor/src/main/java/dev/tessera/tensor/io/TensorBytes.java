package dev.tessera.tensor.io;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Moves raw element bytes between tensors and files. Tessera's storage is in the host's byte
 * order, and both formats are little-endian: Tessera runs on little-endian hosts (x86-64,
 * AArch64), so the bytes go to and from disk as they are.
 */
final class TensorBytes {
    /** A ByteBuffer is int-indexed: big tensors move in pieces of this many bytes. */
    private static final long PIECE = 1 << 30;

    private TensorBytes() {}

    /** The elements of {@code t} in row-major order: its own memory when it is a contiguous host tensor, else a copy. */
    static MemorySegment rowMajor(Tensor t) {
        Tensor host = t.to(Device.cpu()).contiguous();
        if (!host.storage().segment().isNative()) {
            host = host.copy(); // a heap segment over a float[] cannot be seen as a ByteBuffer
        }
        long size = host.dtype().byteSize();
        return host.storage().segment().asSlice(host.offset() * size, host.numel() * size);
    }

    /** Writes all of {@code bytes} (a native or byte[]-backed segment) at the channel's position. */
    static void write(FileChannel channel, MemorySegment bytes) throws IOException {
        for (long done = 0; done < bytes.byteSize(); done += PIECE) {
            ByteBuffer piece = bytes.asSlice(done, Math.min(PIECE, bytes.byteSize() - done)).asByteBuffer();
            while (piece.hasRemaining()) {
                channel.write(piece);
            }
        }
    }

    /** Fills {@code into} with the file's bytes from {@code position}; the caller has checked that they exist. */
    static void readFully(Path file, FileChannel channel, long position, MemorySegment into) throws IOException {
        for (long done = 0; done < into.byteSize(); done += PIECE) {
            ByteBuffer piece = into.asSlice(done, Math.min(PIECE, into.byteSize() - done)).asByteBuffer();
            while (piece.hasRemaining()) {
                if (channel.read(piece, position + done + piece.position()) < 0) {
                    throw CorruptFile.error(file, "the file ended at byte " + (position + done + piece.position())
                            + " while its data was being read (did it shrink while open?)");
                }
            }
        }
    }

    /** Reverses the bytes of every {@code elementSize}-byte element: big-endian data to the host's order. */
    static void swapBytes(MemorySegment data, int elementSize) {
        long n = data.byteSize() / elementSize;
        switch (elementSize) {
            case 1 -> { }
            case 2 -> swap(data, n, ValueLayout.JAVA_SHORT_UNALIGNED);
            case 4 -> swap(data, n, ValueLayout.JAVA_INT_UNALIGNED);
            case 8 -> swap(data, n, ValueLayout.JAVA_LONG_UNALIGNED);
            default -> throw new IllegalArgumentException("swapBytes: no " + elementSize + "-byte elements");
        }
    }

    private static void swap(MemorySegment data, long n, ValueLayout.OfShort layout) {
        ValueLayout.OfShort opposite = layout.withOrder(opposite(layout.order()));
        for (long i = 0; i < n; i++) {
            data.setAtIndex(layout, i, data.getAtIndex(opposite, i));
        }
    }

    private static void swap(MemorySegment data, long n, ValueLayout.OfInt layout) {
        ValueLayout.OfInt opposite = layout.withOrder(opposite(layout.order()));
        for (long i = 0; i < n; i++) {
            data.setAtIndex(layout, i, data.getAtIndex(opposite, i));
        }
    }

    private static void swap(MemorySegment data, long n, ValueLayout.OfLong layout) {
        ValueLayout.OfLong opposite = layout.withOrder(opposite(layout.order()));
        for (long i = 0; i < n; i++) {
            data.setAtIndex(layout, i, data.getAtIndex(opposite, i));
        }
    }

    private static ByteOrder opposite(ByteOrder order) {
        return order == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /**
     * Checks that a BOOL tensor's bytes are all 0 or 1 (what {@link DType#BOOL} promises the
     * kernels); {@code what} names the tensor in the error.
     */
    static void checkBooleans(Path file, MemorySegment data, String what) throws IOException {
        for (long i = 0; i < data.byteSize(); i++) {
            byte b = data.get(ValueLayout.JAVA_BYTE, i);
            if (b != 0 && b != 1) {
                throw CorruptFile.error(file, what + " is BOOL but holds the byte 0x" + String.format("%02X", b & 0xFF)
                        + " at element " + i + "; booleans must be 0 or 1");
            }
        }
    }
}
