package dev.tessera.tensor.io;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Storage;
import dev.tessera.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes safetensors files, the format Hugging Face uses for model weights.
 *
 * <p><b>Reading is zero-copy.</b> The file is memory-mapped and every tensor is a view of the
 * mapping: loading copies nothing and pages come in from disk as they are touched. The mapping
 * lives as long as any of its tensors is reachable. Such tensors are <b>read-only</b>: ops read
 * them freely, but anything that writes into them in place fails; use {@link Tensor#copy()} to
 * get writable memory. An entry whose position in the file is not a multiple of its element size
 * (an odd header length, or a BF16 tensor of odd length before an F32 one) cannot be a view,
 * since Tessera counts offsets in elements: that one entry is copied into fresh memory.
 *
 * <p><b>Bad files</b> give an {@link IOException} naming the file and what is wrong; the whole
 * header is checked against the file's length before any data is touched. One risk remains,
 * and it is the operating system's: if another program truncates a file while tensors mapped
 * from it are alive, touching their data makes the JVM fault (an {@link InternalError}, or on
 * some platforms a crash). Do not change a file you have loaded; write a new one instead:
 * {@link #write} replaces a file by renaming over it, which leaves existing mappings intact.
 *
 * <p>Bytes are little-endian, as the format says and as the hosts Tessera runs on are.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /**
     * All tensors of a file, in file order (by data offset), memory-mapped.
     *
     * @throws IOException if the file cannot be read or is not a valid safetensors file
     */
    public static Map<String, Tensor> read(Path file) throws IOException {
        MemorySegment mapped = map(file);
        SafeTensorsHeader header = SafeTensorsHeader.read(file, mapped);
        Storage storage = Storage.wrap(mapped);
        long dataStart = Long.BYTES + header.byteSize();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (SafeTensorsHeader.Entry entry : header.entries()) {
            tensors.put(entry.name(), tensor(file, storage, dataStart, entry));
        }
        return tensors;
    }

    /**
     * The file's {@code __metadata__} map (string to string), empty when it has none; the whole
     * header is checked as {@link #read} checks it.
     */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        return SafeTensorsHeader.read(file, map(file)).metadata();
    }

    /** Writes {@code tensors} in map order, with no metadata; see {@link #write(Path, Map, Map)}. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} back to back in map order (views and non-contiguous tensors are
     * written as their row-major contents), with {@code metadata} as {@code __metadata__} when
     * it is not empty. The file is written under a temporary name in the same folder, fsync'd and
     * renamed over {@code file}: a crash part-way leaves the previous file as it was.
     *
     * @throws IllegalArgumentException if a name is null or {@code __metadata__}, or a name, key
     *     or value holds an unpaired surrogate (UTF-8 cannot encode it)
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] start = SafeTensorsHeader.encode(tensors, metadata);
        AtomicFile.write(file, channel -> {
            TensorBytes.write(channel, MemorySegment.ofArray(start));
            for (Tensor t : tensors.values()) {
                TensorBytes.write(channel, TensorBytes.rowMajor(t));
            }
        });
    }

    private static MemorySegment map(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(MapMode.READ_ONLY, 0, channel.size(), Arena.ofAuto());
        }
    }

    private static Tensor tensor(Path file, Storage storage, long dataStart, SafeTensorsHeader.Entry entry)
            throws IOException {
        DType dtype = entry.dtype();
        long position = dataStart + entry.begin();
        MemorySegment bytes = storage.segment().asSlice(position, entry.end() - entry.begin());
        if (dtype == DType.BOOL) {
            TensorBytes.checkBooleans(file, bytes, entry.where());
        }
        if (position % dtype.byteSize() == 0) {
            return Tensor.wrap(storage, dtype, position / dtype.byteSize(), entry.shape());
        }
        Tensor copy = Tensor.empty(dtype, Device.cpu(), entry.shape());
        MemorySegment.copy(bytes, 0, copy.storage().segment(), 0, bytes.byteSize());
        return copy;
    }
}
