package dev.tessera.tensor.cpu;

import dev.tessera.tensor.Backend;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/** The Vector API CPU backend. SKELETON: fill and copy work; the other kernels are being written. */
public final class CpuBackend implements Backend {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void fill(Tensor out, double value) {
        forEachOffset(out, (i, at) -> out.dtype().write(out.storage().segment(), at, value));
    }

    @Override
    public void copy(Tensor x, Tensor out) {
        MemorySegment src = x.storage().segment();
        MemorySegment dst = out.storage().segment();
        DType from = x.dtype();
        DType to = out.dtype();
        long[] shape = x.shape();
        long[] xs = x.strides();
        long[] os = out.strides();
        long n = x.numel();
        for (long i = 0; i < n; i++) {
            long xi = x.offset();
            long oi = out.offset();
            long rest = i;
            for (int d = shape.length - 1; d >= 0; d--) {
                long c = rest % shape[d];
                rest /= shape[d];
                xi += c * xs[d];
                oi += c * os[d];
            }
            if (from.isFloating() || to.isFloating()) {
                to.write(dst, oi, from.read(src, xi));
            } else {
                to.writeLong(dst, oi, from.readLong(src, xi));
            }
        }
    }

    private interface OffsetBody {
        void accept(long index, long offset);
    }

    private static void forEachOffset(Tensor t, OffsetBody body) {
        long[] shape = t.shape();
        long[] strides = t.strides();
        long n = t.numel();
        for (long i = 0; i < n; i++) {
            long at = t.offset();
            long rest = i;
            for (int d = shape.length - 1; d >= 0; d--) {
                at += (rest % shape[d]) * strides[d];
                rest /= shape[d];
            }
            body.accept(i, at);
        }
    }

    private static UnsupportedOperationException building(String op) {
        return new UnsupportedOperationException("cpu: " + op + " is being built");
    }

    @Override public void unary(Op op, Tensor x, Tensor out) { throw building("unary"); }
    @Override public void binary(Op op, Tensor a, Tensor b, Tensor out) { throw building("binary"); }
    @Override public void where(Tensor cond, Tensor a, Tensor b, Tensor out) { throw building("where"); }
    @Override public void clamp(Tensor x, double lo, double hi, Tensor out) { throw building("clamp"); }
    @Override public void reduce(Op op, Tensor x, Tensor out) { throw building("reduce"); }
    @Override public void argReduce(Op op, Tensor x, int dim, Tensor out) { throw building("argReduce"); }
    @Override public void softmax(Op op, Tensor x, int dim, Tensor out) { throw building("softmax"); }
    @Override public void cumsum(Tensor x, int dim, Tensor out) { throw building("cumsum"); }
    @Override public void matmul(Tensor a, Tensor b, Tensor out) { Gemm.matmul(a, b, out); }
    @Override public void topk(Tensor x, int dim, int k, boolean largest, Tensor values, Tensor indices) { throw building("topk"); }
    @Override public void gather(Tensor x, int dim, Tensor index, Tensor out) { throw building("gather"); }
    @Override public void scatterAdd(Tensor src, int dim, Tensor index, Tensor out) { throw building("scatterAdd"); }
    @Override public void indexSelect(Tensor x, int dim, Tensor index, Tensor out) { throw building("indexSelect"); }
    @Override public void indexAdd(Tensor src, int dim, Tensor index, Tensor out) { throw building("indexAdd"); }
}
