package dev.tessera.tensor;

import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array: a view of a {@link Storage} with a dtype, a shape, strides and an
 * offset (both in elements), on a {@link Device}, plus the slot autograd uses.
 *
 * <p>Views (reshape of compatible layouts, transpose, permute, slice, select, expand, squeeze,
 * unsqueeze) never copy. Ops return new tensors and never change their inputs. Every op checks
 * its arguments first and throws an {@link IllegalArgumentException} that names the op and the
 * shapes, dtypes or devices it got; then the backend of the inputs' device computes the result.
 */
public final class Tensor {
    private final Storage storage;
    private final DType dtype;
    private final long[] shape;
    private final long[] strides;
    private final long offset;
    private final Device device;

    private boolean requiresGrad;
    private Tensor grad;
    private GradNode gradNode;

    Tensor(Storage storage, DType dtype, long[] shape, long[] strides, long offset, Device device) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.device = device;
    }

    // ---------------------------------------------------------------- metadata

    /** The sizes of the dims (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** The size of one dim; negative dims count from the end. */
    public long size(int dim) {
        return shape[Shape.dim("size", dim, shape)];
    }

    /** The number of dims (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** The number of elements. */
    public long numel() {
        return Shape.numel(shape);
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return device;
    }

    /** The strides in elements, one per dim (a copy). For backends and the curious. */
    public long[] strides() {
        return strides.clone();
    }

    /** Where element {@code [0, 0, ...]} sits in the storage, in elements. */
    public long offset() {
        return offset;
    }

    public Storage storage() {
        return storage;
    }

    /** True when the elements lie in row-major order without gaps, starting at {@link #offset()}. */
    public boolean isContiguous() {
        return Shape.isContiguous(shape, strides);
    }

    // ---------------------------------------------------------------- autograd slot

    /** Marks this tensor as a leaf whose gradient autograd should compute; floating dtypes only. */
    public Tensor requiresGrad(boolean requires) {
        if (requires && !dtype.isFloating()) {
            throw new IllegalArgumentException("requiresGrad: only floating tensors can require a gradient, got " + dtype);
        }
        if (gradNode != null) {
            throw new IllegalArgumentException("requiresGrad: only a leaf can be marked; this tensor was made by "
                    + gradNode.opName() + " (use detach() for a leaf that shares its data)");
        }
        this.requiresGrad = requires;
        return this;
    }

    /** True for a leaf marked with {@code requiresGrad(true)} and for every tensor computed from one. */
    public boolean requiresGrad() {
        return requiresGrad || gradNode != null;
    }

    /** True when no recorded op made this tensor: it was created, loaded or detached. */
    public boolean isLeaf() {
        return gradNode == null;
    }

    /** The autograd node that made this tensor, or null for a leaf. */
    public GradNode gradNode() {
        return gradNode;
    }

    /** Sets the node that made this tensor: for autograd's recorder only. */
    public void setGradNode(GradNode node) {
        this.gradNode = node;
    }

    /**
     * Back-propagates from this one-element tensor (a loss): adds d(this)/d(leaf) to the
     * {@code grad()} of every leaf it was computed from that requires grad, then frees the graph.
     */
    public void backward() {
        if (numel() != 1) {
            throw new IllegalArgumentException("backward: without a gradient argument the tensor must have one element"
                    + " (a loss), got shape " + Shape.str(shape) + "; use backward(gradient)");
        }
        backward(Tensor.full(1, dtype).to(device), false);
    }

    /** Back-propagates {@code gradient} (this tensor's shape) from this tensor; frees the graph. */
    public void backward(Tensor gradient) {
        backward(gradient, false);
    }

    /** Back-propagates {@code gradient}; with {@code retainGraph} the graph stays usable for another backward. */
    public void backward(Tensor gradient, boolean retainGraph) {
        if (Recording.AUTOGRAD == null) {
            throw new IllegalStateException("backward: the autograd module (tessera-autograd) is not on the class path");
        }
        if (!requiresGrad()) {
            throw new IllegalArgumentException("backward: this tensor does not require grad: no leaf it was computed from"
                    + " was marked with requiresGrad(true), or it was computed with grad mode off");
        }
        if (!Arrays.equals(gradient.shape, shape) || gradient.dtype != dtype || gradient.device != device) {
            throw new IllegalArgumentException("backward: the gradient (" + gradient.dtype + " " + Shape.str(gradient.shape)
                    + " on " + gradient.device + ") must match the tensor (" + dtype + " " + Shape.str(shape) + " on "
                    + device + ")");
        }
        Recording.AUTOGRAD.backward(this, gradient, retainGraph);
    }

    /** Clears the accumulated gradient. */
    public void zeroGrad() {
        this.grad = null;
    }

    /** A leaf that shares this tensor's data but not its history: no gradient flows through it. */
    public Tensor detach() {
        return withLayout(shape, strides, offset);
    }

    /** The accumulated gradient, or null when none has been computed. */
    public Tensor grad() {
        return grad;
    }

    /** Replaces the accumulated gradient (null clears it). */
    public void setGrad(Tensor grad) {
        if (grad != null && !Arrays.equals(grad.shape, shape)) {
            throw new IllegalArgumentException("setGrad: gradient of shape " + Shape.str(grad.shape)
                    + " for a tensor of shape " + Shape.str(shape));
        }
        this.grad = grad;
    }

    // ---------------------------------------------------------------- creation

    /** An uninitialised contiguous tensor: the caller writes every element (backends, factories). */
    public static Tensor empty(DType dtype, Device device, long... shape) {
        long[] checked = Shape.checked("empty", shape);
        Storage storage = device.backend().allocate(Shape.numel(checked) * dtype.byteSize(), false);
        return new Tensor(storage, dtype, checked, Shape.contiguousStrides(checked), 0, device);
    }

    /** A contiguous tensor over existing storage (a mapped file); {@code offset} is in elements. */
    public static Tensor wrap(Storage storage, DType dtype, long offset, long... shape) {
        long[] checked = Shape.checked("wrap", shape);
        long end = (offset + Shape.numel(checked)) * dtype.byteSize();
        if (offset < 0 || end > storage.byteSize()) {
            throw new IllegalArgumentException("wrap: " + dtype + " tensor of shape " + Shape.str(checked) + " at element "
                    + offset + " needs " + end + " bytes, the storage has " + storage.byteSize());
        }
        return new Tensor(storage, dtype, checked, Shape.contiguousStrides(checked), offset, Device.cpu());
    }

    /** A tensor like this one (same dtype, device) of another shape, uninitialised. */
    Tensor emptyLike(DType type, long... newShape) {
        return empty(type, device, newShape);
    }

    public static Tensor zeros(long... shape) {
        return Factories.full(0, DType.F32, shape);
    }

    public static Tensor zeros(DType dtype, long... shape) {
        return Factories.full(0, dtype, shape);
    }

    public static Tensor ones(long... shape) {
        return Factories.full(1, DType.F32, shape);
    }

    public static Tensor ones(DType dtype, long... shape) {
        return Factories.full(1, dtype, shape);
    }

    public static Tensor full(double value, long... shape) {
        return Factories.full(value, DType.F32, shape);
    }

    public static Tensor full(double value, DType dtype, long... shape) {
        return Factories.full(value, dtype, shape);
    }

    /** A 0-d F32 tensor. */
    public static Tensor scalar(double value) {
        return Factories.full(value, DType.F32);
    }

    /** A 0-d tensor of the given dtype. */
    public static Tensor scalar(double value, DType dtype) {
        return Factories.full(value, dtype);
    }

    /** {@code [0, 1, ..., end-1]} as I64. */
    public static Tensor arange(long end) {
        return Factories.arange(0, end, 1, DType.I64);
    }

    /** {@code start, start+step, ...} up to but excluding {@code end}, as F32. */
    public static Tensor arange(double start, double end, double step) {
        return Factories.arange(start, end, step, DType.F32);
    }

    /** {@code steps} evenly spaced F32 values from {@code start} to {@code end} inclusive. */
    public static Tensor linspace(double start, double end, long steps) {
        return Factories.linspace(start, end, steps);
    }

    /** The n x n identity, F32. */
    public static Tensor eye(long n) {
        return Factories.eye(n, n);
    }

    /** An n x m F32 matrix with ones on the diagonal. */
    public static Tensor eye(long n, long m) {
        return Factories.eye(n, m);
    }

    /** Uniform F32 samples in [0, 1). */
    public static Tensor rand(Generator generator, long... shape) {
        return Factories.random(Generator.Distribution.UNIFORM, generator, Device.cpu(), shape);
    }

    /** Uniform F32 samples in [0, 1), drawn on {@code device} (the same stream as on the cpu). */
    public static Tensor rand(Generator generator, Device device, long... shape) {
        return Factories.random(Generator.Distribution.UNIFORM, generator, device, shape);
    }

    /** Standard normal F32 samples. */
    public static Tensor randn(Generator generator, long... shape) {
        return Factories.random(Generator.Distribution.NORMAL, generator, Device.cpu(), shape);
    }

    /** Standard normal F32 samples, drawn on {@code device} (the cpu's stream; see {@link Backend#fillRandom}). */
    public static Tensor randn(Generator generator, Device device, long... shape) {
        return Factories.random(Generator.Distribution.NORMAL, generator, device, shape);
    }

    /** Uniform I64 integers in [low, high). */
    public static Tensor randint(Generator generator, long low, long high, long... shape) {
        return Factories.randint(generator, low, high, Device.cpu(), shape);
    }

    /** Uniform I64 integers in [low, high), drawn on {@code device} (the same stream as on the cpu). */
    public static Tensor randint(Generator generator, long low, long high, Device device, long... shape) {
        return Factories.randint(generator, low, high, device, shape);
    }

    /** An F32 tensor of the given shape over a copy of {@code data}; no shape means 1-D. */
    public static Tensor of(float[] data, long... shape) {
        return Factories.fromArray(data, data.length, DType.F32, shape);
    }

    /** An F64 tensor of the given shape over a copy of {@code data}; no shape means 1-D. */
    public static Tensor of(double[] data, long... shape) {
        return Factories.fromArray(data, data.length, DType.F64, shape);
    }

    /** An I32 tensor of the given shape over a copy of {@code data}; no shape means 1-D. */
    public static Tensor of(int[] data, long... shape) {
        return Factories.fromArray(data, data.length, DType.I32, shape);
    }

    /** An I64 tensor of the given shape over a copy of {@code data}; no shape means 1-D. */
    public static Tensor of(long[] data, long... shape) {
        return Factories.fromArray(data, data.length, DType.I64, shape);
    }

    /** A BOOL tensor of the given shape over a copy of {@code data}; no shape means 1-D. */
    public static Tensor of(boolean[] data, long... shape) {
        return Factories.fromArray(data, data.length, DType.BOOL, shape);
    }

    /** A 2-D F32 tensor from rows of equal length. */
    public static Tensor of(float[][] rows) {
        return Factories.fromRows(rows);
    }

    // ---------------------------------------------------------------- back to Java

    /** The elements in row-major order, converted to float. */
    public float[] toFloatArray() {
        return HostArrays.toFloatArray(this);
    }

    /** The elements in row-major order, converted to double. */
    public double[] toDoubleArray() {
        return HostArrays.toDoubleArray(this);
    }

    /** The elements in row-major order, converted to int (floats truncate toward zero). */
    public int[] toIntArray() {
        return HostArrays.toIntArray(this);
    }

    /** The elements in row-major order, converted to long (floats truncate toward zero). */
    public long[] toLongArray() {
        return HostArrays.toLongArray(this);
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("item: needs exactly one element, got shape " + Shape.str(shape));
        }
        return toDoubleArray()[0];
    }

    // ---------------------------------------------------------------- devices and dtypes

    /** This tensor converted to {@code type} (round-to-nearest-even for floats); itself when already so. */
    public Tensor to(DType type) {
        if (type == dtype) {
            return this;
        }
        Tensor out = emptyLike(type, shape);
        device.backend().copy(this, out);
        return Recording.record(Op.CAST, OpArgs.NONE, out, this);
    }

    /** This tensor copied to {@code target}; itself when already there. */
    public Tensor to(Device target) {
        if (target == device) {
            return this;
        }
        Tensor out = empty(dtype, target, shape);
        // A host backend cannot read device memory: a device's backend moves the bytes either way.
        Backend mover = device.backend().hostMemory() ? target.backend() : device.backend();
        mover.copy(this, out);
        return Recording.record(Op.CAST, OpArgs.NONE, out, this);
    }

    /** This tensor, or a contiguous copy of it when its layout is not contiguous. */
    public Tensor contiguous() {
        if (isContiguous()) {
            return this;
        }
        Tensor out = emptyLike(dtype, shape);
        device.backend().copy(this, out);
        return Recording.record(Op.CONTIGUOUS, OpArgs.NONE, out, this);
    }

    /** A contiguous copy that shares nothing with this tensor. */
    public Tensor copy() {
        Tensor out = emptyLike(dtype, shape);
        device.backend().copy(this, out);
        return Recording.record(Op.CONTIGUOUS, OpArgs.NONE, out, this);
    }

    // ---------------------------------------------------------------- views

    /** The same data seen with another shape; one size may be -1. Fails if the layout needs a copy (see {@link #reshape}). */
    public Tensor view(long... newShape) {
        long[] target = Views.inferShape("view", newShape, numel(), shape);
        long[] newStrides = Views.viewStrides(shape, strides, target);
        if (newStrides == null) {
            throw new IllegalArgumentException("view: a tensor of shape " + Shape.str(shape) + " and strides "
                    + Shape.str(strides) + " cannot be viewed as " + Shape.str(target) + " without a copy; use reshape");
        }
        return Recording.record(Op.RESHAPE, OpArgs.NONE, withLayout(target, newStrides, offset), this);
    }

    /** Like {@link #view}, but copies when the layout does not allow a view. */
    public Tensor reshape(long... newShape) {
        long[] target = Views.inferShape("reshape", newShape, numel(), shape);
        long[] newStrides = Views.viewStrides(shape, strides, target);
        if (newStrides == null) {
            return copy().view(target);
        }
        return Recording.record(Op.RESHAPE, OpArgs.NONE, withLayout(target, newStrides, offset), this);
    }

    /** A 1-D view (or copy) of all elements. */
    public Tensor flatten() {
        return reshape(-1);
    }

    /** Dims reordered: dim i of the result is dim {@code dims[i]} of this tensor. */
    public Tensor permute(int... dims) {
        int[] perm = Views.permutation("permute", dims, shape);
        long[] newShape = new long[perm.length];
        long[] newStrides = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            newShape[i] = shape[perm[i]];
            newStrides[i] = strides[perm[i]];
        }
        return Recording.record(Op.PERMUTE, new OpArgs.Permute(perm), withLayout(newShape, newStrides, offset), this);
    }

    /** Dims {@code a} and {@code b} swapped. */
    public Tensor transpose(int a, int b) {
        int da = Shape.dim("transpose", a, shape);
        int db = Shape.dim("transpose", b, shape);
        long[] newShape = shape.clone();
        long[] newStrides = strides.clone();
        newShape[da] = shape[db];
        newShape[db] = shape[da];
        newStrides[da] = strides[db];
        newStrides[db] = strides[da];
        return Recording.record(Op.TRANSPOSE, new OpArgs.Transpose(da, db), withLayout(newShape, newStrides, offset), this);
    }

    /** The transpose of a matrix (the last two dims swapped for rank > 2). */
    public Tensor t() {
        if (shape.length < 2) {
            throw new IllegalArgumentException("t: needs at least 2 dims, got shape " + Shape.str(shape));
        }
        return transpose(-2, -1);
    }

    /**
     * Elements {@code start, start+step, ...} below {@code end} along {@code dim}, as in Python's
     * {@code x[start:end:step]}: negative bounds count from the end, bounds are clamped, step > 0.
     */
    public Tensor slice(int dim, long start, long end, long step) {
        int d = Shape.dim("slice", dim, shape);
        if (step <= 0) {
            throw new IllegalArgumentException("slice: step must be positive, got " + step);
        }
        long from = Views.clampIndex(start, shape[d]);
        long to = Math.max(from, Views.clampIndex(end, shape[d]));
        long[] newShape = shape.clone();
        long[] newStrides = strides.clone();
        newShape[d] = to == from ? 0 : (to - from - 1) / step + 1; // ceil((to - from) / step) without overflow
        newStrides[d] = strides[d] * step;
        Tensor view = withLayout(newShape, newStrides, offset + (newShape[d] == 0 ? 0 : from * strides[d]));
        return Recording.record(Op.SLICE, new OpArgs.Slice(d, from, step), view, this);
    }

    /** {@code slice(dim, start, end, 1)}. */
    public Tensor slice(int dim, long start, long end) {
        return slice(dim, start, end, 1);
    }

    /** {@code length} elements from {@code start} along {@code dim}; the range must lie inside the dim. */
    public Tensor narrow(int dim, long start, long length) {
        int d = Shape.dim("narrow", dim, shape);
        if (start < 0 || length < 0 || start > shape[d] || length > shape[d] - start) {
            throw new IllegalArgumentException("narrow: range [" + start + ", " + (start + length) + ") is outside dim "
                    + d + " of shape " + Shape.str(shape));
        }
        return slice(d, start, start + length, 1);
    }

    /** The slice at {@code index} along {@code dim}, with that dim removed; negative indices count from the end. */
    public Tensor select(int dim, long index) {
        int d = Shape.dim("select", dim, shape);
        long i = index < 0 ? index + shape[d] : index;
        if (i < 0 || i >= shape[d]) {
            throw new IllegalArgumentException("select: index " + index + " is out of range for dim " + d
                    + " of shape " + Shape.str(shape));
        }
        Tensor view = withLayout(Views.without(shape, d), Views.without(strides, d), offset + i * strides[d]);
        return Recording.record(Op.SELECT, new OpArgs.Select(d, i), view, this);
    }

    /**
     * This tensor broadcast to {@code sizes} (stride 0 along the repeated dims, no copy). New dims
     * go on the left; -1 keeps a size; only size-1 dims can grow.
     */
    public Tensor expand(long... sizes) {
        if (sizes.length < shape.length) {
            throw new IllegalArgumentException("expand: cannot expand shape " + Shape.str(shape) + " to fewer dims "
                    + Shape.str(sizes));
        }
        int lead = sizes.length - shape.length;
        long[] newShape = new long[sizes.length];
        long[] newStrides = new long[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            long old = i < lead ? 1 : shape[i - lead];
            long want = sizes[i] == -1 && i >= lead ? old : sizes[i];
            if (want < 0 || (old != want && old != 1)) {
                throw new IllegalArgumentException("expand: cannot expand shape " + Shape.str(shape) + " to "
                        + Shape.str(sizes) + " (dim " + i + ": " + old + " to " + sizes[i] + ")");
            }
            newShape[i] = want;
            newStrides[i] = i < lead || old != want ? 0 : strides[i - lead];
        }
        if (Arrays.equals(newShape, shape)) {
            return this; // nothing to broadcast: no view, no graph node
        }
        return Recording.record(Op.EXPAND, OpArgs.NONE, withLayout(newShape, newStrides, offset), this);
    }

    /** All dims of size 1 removed. */
    public Tensor squeeze() {
        long[] newShape = Arrays.stream(shape).filter(s -> s != 1).toArray();
        long[] newStrides = new long[newShape.length];
        for (int d = 0, j = 0; d < shape.length; d++) {
            if (shape[d] != 1) {
                newStrides[j++] = strides[d];
            }
        }
        return Recording.record(Op.SQUEEZE, OpArgs.NONE, withLayout(newShape, newStrides, offset), this);
    }

    /** Dim {@code dim} removed if its size is 1; otherwise this tensor unchanged, as in PyTorch. */
    public Tensor squeeze(int dim) {
        int d = Shape.dim("squeeze", dim, shape);
        if (shape[d] != 1) {
            return this;
        }
        Tensor view = withLayout(Views.without(shape, d), Views.without(strides, d), offset);
        return Recording.record(Op.SQUEEZE, OpArgs.NONE, view, this);
    }

    /** A new dim of size 1 at {@code dim} (in {@code [-rank-1, rank]}). */
    public Tensor unsqueeze(int dim) {
        int d = Shape.newDim("unsqueeze", dim, shape);
        long stride = d < shape.length ? strides[d] * shape[d] : 1;
        Tensor view = withLayout(Views.with(shape, d, 1), Views.with(strides, d, stride), offset);
        return Recording.record(Op.UNSQUEEZE, OpArgs.NONE, view, this);
    }

    /** Pieces of {@code size} elements along {@code dim} (the last may be smaller); views. */
    public List<Tensor> split(long size, int dim) {
        return Joins.split(this, size, dim);
    }

    /** {@code chunks} pieces of (nearly) equal size along {@code dim}, as PyTorch's chunk; views. */
    public List<Tensor> chunk(int chunks, int dim) {
        return Joins.chunk(this, chunks, dim);
    }

    // ---------------------------------------------------------------- elementwise
    /** Elementwise -x. */
    public Tensor neg() {
        return Elementwise.unary(Op.NEG, this);
    }
    /** Elementwise |x|. */
    public Tensor abs() {
        return Elementwise.unary(Op.ABS, this);
    }
    /** Elementwise e^x. */
    public Tensor exp() {
        return Elementwise.unary(Op.EXP, this);
    }
    /** Elementwise the natural logarithm. */
    public Tensor log() {
        return Elementwise.unary(Op.LOG, this);
    }
    /** Elementwise the square root. */
    public Tensor sqrt() {
        return Elementwise.unary(Op.SQRT, this);
    }
    /** Elementwise 1 / sqrt(x). */
    public Tensor rsqrt() {
        return Elementwise.unary(Op.RSQRT, this);
    }
    /** Elementwise sine. */
    public Tensor sin() {
        return Elementwise.unary(Op.SIN, this);
    }
    /** Elementwise cosine. */
    public Tensor cos() {
        return Elementwise.unary(Op.COS, this);
    }
    /** Elementwise hyperbolic tangent. */
    public Tensor tanh() {
        return Elementwise.unary(Op.TANH, this);
    }
    /** Elementwise 1 / (1 + e^-x). */
    public Tensor sigmoid() {
        return Elementwise.unary(Op.SIGMOID, this);
    }
    /** Elementwise max(x, 0). */
    public Tensor relu() {
        return Elementwise.unary(Op.RELU, this);
    }
    /** Elementwise x * sigmoid(x). */
    public Tensor silu() {
        return Elementwise.unary(Op.SILU, this);
    }
    /** Elementwise GELU, exact: x * Phi(x) with the normal CDF via erf. */
    public Tensor gelu() {
        return Elementwise.unary(Op.GELU_ERF, this);
    }
    /** Elementwise GELU, tanh approximation: 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))). */
    public Tensor geluTanh() {
        return Elementwise.unary(Op.GELU_TANH, this);
    }
    /** Elementwise 1 / x. */
    public Tensor reciprocal() {
        return Elementwise.unary(Op.RECIPROCAL, this);
    }
    /** Elementwise x * x. */
    public Tensor square() {
        return Elementwise.unary(Op.SQUARE, this);
    }
    /** Elementwise a + b, with NumPy broadcasting. */
    public Tensor add(Tensor other) {
        return Elementwise.binary(Op.ADD, this, other);
    }

    /** Elementwise a + b, with a scalar of this tensor's dtype. */
    public Tensor add(double other) {
        return Elementwise.binary(Op.ADD, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise a - b, with NumPy broadcasting. */
    public Tensor sub(Tensor other) {
        return Elementwise.binary(Op.SUB, this, other);
    }

    /** Elementwise a - b, with a scalar of this tensor's dtype. */
    public Tensor sub(double other) {
        return Elementwise.binary(Op.SUB, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise a * b, with NumPy broadcasting. */
    public Tensor mul(Tensor other) {
        return Elementwise.binary(Op.MUL, this, other);
    }

    /** Elementwise a * b, with a scalar of this tensor's dtype. */
    public Tensor mul(double other) {
        return Elementwise.binary(Op.MUL, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise a / b (floats), with NumPy broadcasting. */
    public Tensor div(Tensor other) {
        return Elementwise.binary(Op.DIV, this, other);
    }

    /** Elementwise a / b (floats), with a scalar of this tensor's dtype. */
    public Tensor div(double other) {
        return Elementwise.binary(Op.DIV, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise a to the power b (floats), with NumPy broadcasting. */
    public Tensor pow(Tensor other) {
        return Elementwise.binary(Op.POW, this, other);
    }

    /** Elementwise a to the power b (floats), with a scalar of this tensor's dtype. */
    public Tensor pow(double other) {
        return Elementwise.binary(Op.POW, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise the larger of a and b; NaN wins, with NumPy broadcasting. */
    public Tensor maximum(Tensor other) {
        return Elementwise.binary(Op.MAXIMUM, this, other);
    }

    /** Elementwise the larger of a and b; NaN wins, with a scalar of this tensor's dtype. */
    public Tensor maximum(double other) {
        return Elementwise.binary(Op.MAXIMUM, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise the smaller of a and b; NaN wins, with NumPy broadcasting. */
    public Tensor minimum(Tensor other) {
        return Elementwise.binary(Op.MINIMUM, this, other);
    }

    /** Elementwise the smaller of a and b; NaN wins, with a scalar of this tensor's dtype. */
    public Tensor minimum(double other) {
        return Elementwise.binary(Op.MINIMUM, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise a == b, as BOOL, with NumPy broadcasting. */
    public Tensor eq(Tensor other) {
        return Elementwise.binary(Op.EQ, this, other);
    }

    /** Elementwise a == b, as BOOL, with a scalar of this tensor's dtype. */
    public Tensor eq(double other) {
        return Elementwise.binary(Op.EQ, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise a != b, as BOOL, with NumPy broadcasting. */
    public Tensor ne(Tensor other) {
        return Elementwise.binary(Op.NE, this, other);
    }

    /** Elementwise a != b, as BOOL, with a scalar of this tensor's dtype. */
    public Tensor ne(double other) {
        return Elementwise.binary(Op.NE, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise a < b, as BOOL, with NumPy broadcasting. */
    public Tensor lt(Tensor other) {
        return Elementwise.binary(Op.LT, this, other);
    }

    /** Elementwise a < b, as BOOL, with a scalar of this tensor's dtype. */
    public Tensor lt(double other) {
        return Elementwise.binary(Op.LT, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise a <= b, as BOOL, with NumPy broadcasting. */
    public Tensor le(Tensor other) {
        return Elementwise.binary(Op.LE, this, other);
    }

    /** Elementwise a <= b, as BOOL, with a scalar of this tensor's dtype. */
    public Tensor le(double other) {
        return Elementwise.binary(Op.LE, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise a > b, as BOOL, with NumPy broadcasting. */
    public Tensor gt(Tensor other) {
        return Elementwise.binary(Op.GT, this, other);
    }

    /** Elementwise a > b, as BOOL, with a scalar of this tensor's dtype. */
    public Tensor gt(double other) {
        return Elementwise.binary(Op.GT, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise a >= b, as BOOL, with NumPy broadcasting. */
    public Tensor ge(Tensor other) {
        return Elementwise.binary(Op.GE, this, other);
    }

    /** Elementwise a >= b, as BOOL, with a scalar of this tensor's dtype. */
    public Tensor ge(double other) {
        return Elementwise.binary(Op.GE, this, Elementwise.scalarLike(this, other));
    }
    /** Elementwise {@code cond ? a : b} with broadcasting; cond is BOOL. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        return Elementwise.where(cond, a, b);
    }

    /** This tensor with {@code value} wherever the BOOL {@code mask} (broadcast to this shape) is true. */
    public Tensor maskedFill(Tensor mask, double value) {
        return Elementwise.maskedFill(this, mask, value);
    }

    /** Elementwise {@code min(max(x, lo), hi)}; NaN stays NaN. */
    public Tensor clamp(double lo, double hi) {
        return Elementwise.clamp(this, lo, hi);
    }

    /** Elementwise {@code max(x, lo)}. */
    public Tensor clampMin(double lo) {
        return Elementwise.clamp(this, lo, Double.POSITIVE_INFINITY);
    }

    /** Elementwise {@code min(x, hi)}. */
    public Tensor clampMax(double hi) {
        return Elementwise.clamp(this, Double.NEGATIVE_INFINITY, hi);
    }

    // ---------------------------------------------------------------- reductions
    /** The sum (integers and BOOL sum into I64) of all elements, as a 0-d tensor. */
    public Tensor sum() {
        return Reductions.reduce(Op.SUM, this, new int[0], false);
    }

    /** The sum (integers and BOOL sum into I64) over one dim, which is removed. */
    public Tensor sum(int dim) {
        return Reductions.reduce(Op.SUM, this, new int[] {dim}, false);
    }

    /** The sum (integers and BOOL sum into I64) over one dim, kept as size 1 when {@code keepdim}. */
    public Tensor sum(int dim, boolean keepdim) {
        return Reductions.reduce(Op.SUM, this, new int[] {dim}, keepdim);
    }

    /** The sum (integers and BOOL sum into I64) over the given dims (none: all). */
    public Tensor sum(int[] dims, boolean keepdim) {
        return Reductions.reduce(Op.SUM, this, dims, keepdim);
    }
    /** The maximum (NaN wins) of all elements, as a 0-d tensor. */
    public Tensor max() {
        return Reductions.reduce(Op.MAX, this, new int[0], false);
    }

    /** The maximum (NaN wins) over one dim, which is removed. */
    public Tensor max(int dim) {
        return Reductions.reduce(Op.MAX, this, new int[] {dim}, false);
    }

    /** The maximum (NaN wins) over one dim, kept as size 1 when {@code keepdim}. */
    public Tensor max(int dim, boolean keepdim) {
        return Reductions.reduce(Op.MAX, this, new int[] {dim}, keepdim);
    }

    /** The maximum (NaN wins) over the given dims (none: all). */
    public Tensor max(int[] dims, boolean keepdim) {
        return Reductions.reduce(Op.MAX, this, dims, keepdim);
    }
    /** The minimum (NaN wins) of all elements, as a 0-d tensor. */
    public Tensor min() {
        return Reductions.reduce(Op.MIN, this, new int[0], false);
    }

    /** The minimum (NaN wins) over one dim, which is removed. */
    public Tensor min(int dim) {
        return Reductions.reduce(Op.MIN, this, new int[] {dim}, false);
    }

    /** The minimum (NaN wins) over one dim, kept as size 1 when {@code keepdim}. */
    public Tensor min(int dim, boolean keepdim) {
        return Reductions.reduce(Op.MIN, this, new int[] {dim}, keepdim);
    }

    /** The minimum (NaN wins) over the given dims (none: all). */
    public Tensor min(int[] dims, boolean keepdim) {
        return Reductions.reduce(Op.MIN, this, dims, keepdim);
    }
    /** {@code log(sum(exp(x)))}, computed stably of all elements, as a 0-d tensor. */
    public Tensor logsumexp() {
        return Reductions.reduce(Op.LOGSUMEXP, this, new int[0], false);
    }

    /** {@code log(sum(exp(x)))}, computed stably over one dim, which is removed. */
    public Tensor logsumexp(int dim) {
        return Reductions.reduce(Op.LOGSUMEXP, this, new int[] {dim}, false);
    }

    /** {@code log(sum(exp(x)))}, computed stably over one dim, kept as size 1 when {@code keepdim}. */
    public Tensor logsumexp(int dim, boolean keepdim) {
        return Reductions.reduce(Op.LOGSUMEXP, this, new int[] {dim}, keepdim);
    }

    /** {@code log(sum(exp(x)))}, computed stably over the given dims (none: all). */
    public Tensor logsumexp(int[] dims, boolean keepdim) {
        return Reductions.reduce(Op.LOGSUMEXP, this, dims, keepdim);
    }
    /** The mean of all elements, as a 0-d tensor (floats). */
    public Tensor mean() {
        return Reductions.mean(this, new int[0], false);
    }

    /** The mean over one dim, which is removed. */
    public Tensor mean(int dim) {
        return Reductions.mean(this, new int[] {dim}, false);
    }

    /** The mean over one dim, kept as size 1 when {@code keepdim}. */
    public Tensor mean(int dim, boolean keepdim) {
        return Reductions.mean(this, new int[] {dim}, keepdim);
    }

    /** The mean over the given dims (none: all). */
    public Tensor mean(int[] dims, boolean keepdim) {
        return Reductions.mean(this, dims, keepdim);
    }

    /** The unbiased variance (correction 1) of all elements. */
    public Tensor var() {
        return Reductions.var(this, new int[0], 1, false);
    }

    /** The unbiased variance over one dim, which is removed. */
    public Tensor var(int dim) {
        return Reductions.var(this, new int[] {dim}, 1, false);
    }

    /** The variance over the given dims (none: all), dividing by {@code n - correction}. */
    public Tensor var(int[] dims, int correction, boolean keepdim) {
        return Reductions.var(this, dims, correction, keepdim);
    }

    /** The index of the largest element of the flattened tensor (I64, 0-d); ties: the first. */
    public Tensor argmax() {
        return Reductions.argReduceAll(Op.ARGMAX, this);
    }

    /** The index of the largest element along {@code dim}, which goes away (I64); ties: the first. */
    public Tensor argmax(int dim) {
        return argmax(dim, false);
    }

    /** The index of the largest element along {@code dim} (I64); ties: the first. */
    public Tensor argmax(int dim, boolean keepdim) {
        return Reductions.argReduce(Op.ARGMAX, this, dim, keepdim);
    }

    /** The index of the smallest element of the flattened tensor (I64, 0-d); ties: the first. */
    public Tensor argmin() {
        return Reductions.argReduceAll(Op.ARGMIN, this);
    }

    /** The index of the smallest element along {@code dim}, which goes away (I64); ties: the first. */
    public Tensor argmin(int dim) {
        return argmin(dim, false);
    }

    /** The index of the smallest element along {@code dim} (I64); ties: the first. */
    public Tensor argmin(int dim, boolean keepdim) {
        return Reductions.argReduce(Op.ARGMIN, this, dim, keepdim);
    }

    // ---------------------------------------------------------------- along one dim

    /** {@code exp(x) / sum(exp(x))} along {@code dim}. */
    public Tensor softmax(int dim) {
        return AlongDim.softmax(Op.SOFTMAX, this, dim);
    }

    /** {@code x - logsumexp(x)} along {@code dim}. */
    public Tensor logSoftmax(int dim) {
        return AlongDim.softmax(Op.LOG_SOFTMAX, this, dim);
    }

    /** The inclusive running sum along {@code dim} (integers and BOOL sum into I64). */
    public Tensor cumsum(int dim) {
        return AlongDim.cumsum(this, dim);
    }

    /** The {@code k} largest entries along the last dim, best first; ties: the lower index first. */
    public ValuesIndices topk(int k) {
        return AlongDim.topk(this, k, -1, true);
    }

    /** The {@code k} largest (or smallest) entries along {@code dim}, best first; ties: the lower index first. */
    public ValuesIndices topk(int k, int dim, boolean largest) {
        return AlongDim.topk(this, k, dim, largest);
    }

    /** A stable sort along {@code dim}: values and their original indices. */
    public ValuesIndices sort(int dim, boolean descending) {
        return AlongDim.sort("sort", this, dim, descending);
    }

    /** The indices that sort this tensor along {@code dim} (stable). */
    public Tensor argsort(int dim, boolean descending) {
        return AlongDim.sort("argsort", this, dim, descending).indices();
    }

    // ---------------------------------------------------------------- matmul and indexing

    /** The matrix product with NumPy's rules: batch dims broadcast, 1-D operands act as vectors. */
    public Tensor matmul(Tensor other) {
        return LinearAlgebra.matmul(this, other);
    }

    /** {@code out[i][j][k] = x[i][index[i][j][k]][k]} for dim 1, and so on; the result has index's shape. */
    public Tensor gather(int dim, Tensor index) {
        return Indexing.gather(this, dim, index);
    }

    /** A copy with {@code src} added at the positions {@code index} names along {@code dim} (see {@link #gather}). */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) {
        return Indexing.scatterAdd(this, dim, index, src);
    }

    /** The slices at the 1-D {@code index} along {@code dim}. */
    public Tensor indexSelect(int dim, Tensor index) {
        return Indexing.indexSelect(this, dim, index);
    }

    /** A copy with slice i of {@code src} added to slice {@code index[i]} along {@code dim}. */
    public Tensor indexAdd(int dim, Tensor index, Tensor src) {
        return Indexing.indexAdd(this, dim, index, src);
    }

    /** These integer class ids as I64 one-hot rows: shape {@code shape + [classes]}. */
    public Tensor oneHot(long classes) {
        return Indexing.oneHot(this, classes);
    }

    /** The rows of {@code weight} ([vocab, dim]) that integer {@code ids} pick: shape {@code ids.shape + [dim]}. */
    public static Tensor embedding(Tensor weight, Tensor ids) {
        return Indexing.embedding(weight, ids);
    }

    /** The tensors joined along an existing dim. */
    public static Tensor cat(List<Tensor> parts, int dim) {
        return Joins.cat(parts, dim);
    }

    /** Tensors of one shape joined along a new dim. */
    public static Tensor stack(List<Tensor> parts, int dim) {
        return Joins.stack(parts, dim);
    }

    private Tensor withLayout(long[] newShape, long[] newStrides, long newOffset) {
        return new Tensor(storage, dtype, newShape, newStrides, newOffset, device);
    }

    @Override
    public String toString() {
        return TensorFormat.format(this);
    }
}
