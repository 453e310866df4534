package dev.tessera.tests.tensor;

import static dev.tessera.tests.tensor.Messages.assertRefused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Each view op on small hand-checked cases: no copies, the right elements, clear refusals. */
class ViewTest {
    /** [[0, 1, 2], [3, 4, 5]] as F32. */
    private static Tensor matrix() {
        return Tensor.arange(6).to(DType.F32).view(2, 3);
    }

    private static float[] values(Tensor t) {
        return t.contiguous().toFloatArray();
    }

    @Test
    void everyViewSharesTheStorage() {
        Tensor x = matrix();
        List<UnaryOperator<Tensor>> views = List.of(
                t -> t.view(3, 2), t -> t.view(-1), t -> t.reshape(6), Tensor::flatten, t -> t.permute(1, 0),
                t -> t.transpose(0, 1), Tensor::t, t -> t.slice(1, 0, 3, 2), t -> t.narrow(0, 1, 1),
                t -> t.select(1, -1), t -> t.unsqueeze(0).expand(4, 2, 3), t -> t.unsqueeze(1).squeeze(),
                t -> t.unsqueeze(-1).squeeze(-1), t -> t.split(2, 1).get(1), t -> t.chunk(2, 0).get(0));
        for (UnaryOperator<Tensor> view : views) {
            assertSame(x.storage(), view.apply(x).storage());
        }
    }

    @Test
    void viewsReadTheElementsTheyName() {
        Tensor x = matrix();
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, values(x.t()));
        assertArrayEquals(new float[] {2, 5}, values(x.slice(1, -1, 3)));
        assertArrayEquals(new float[] {0, 2, 3, 5}, values(x.slice(1, 0, 100, 2)));
        assertArrayEquals(new float[] {1, 2, 4, 5}, values(x.slice(1, -2, Long.MAX_VALUE)));
        assertArrayEquals(new long[] {2, 0}, x.slice(1, 2, 1).shape(), "an empty slice when end < start");
        assertArrayEquals(new float[] {0, 3}, values(x.slice(1, 0, 5, Long.MAX_VALUE)), "a step past the end takes one");
        assertArrayEquals(new float[] {3, 4, 5}, values(x.select(0, -1)));
        assertArrayEquals(new float[] {1, 4}, values(x.narrow(1, 1, 1).flatten()));
        assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2}, values(x.select(0, 0).expand(2, -1)));
        assertArrayEquals(new long[] {0, 2, 3}, x.unsqueeze(0).expand(0, 2, 3).shape(), "size 1 can expand to 0");
        assertArrayEquals(new long[] {0, 3, 1}, x.unsqueeze(0).expand(4, 2, 3).strides(), "a grown dim has stride 0");
    }

    @Test
    void aScalarHasViewsToo() {
        Tensor s = Tensor.scalar(7);
        assertEquals(0, s.rank());
        assertArrayEquals(new long[] {1, 1}, s.view(1, 1).shape());
        assertArrayEquals(new long[] {1}, s.unsqueeze(0).shape());
        assertArrayEquals(new float[] {7, 7, 7}, values(s.expand(3)));
        assertArrayEquals(new long[] {}, s.view(1, 1).squeeze().shape());
        assertEquals(7, s.reshape(-1).item());
    }

    @Test
    void viewRefusesLayoutsThatNeedACopyAndReshapeCopies() {
        Tensor xt = matrix().t();
        assertRefused(() -> xt.view(6), "view", "[3, 2]", "[6]", "reshape");
        Tensor flat = xt.reshape(6);
        assertNotSame(xt.storage(), flat.storage());
        assertTrue(flat.isContiguous());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, flat.toFloatArray());
        // Splitting one dim of a transposed matrix needs no copy; merging its two dims does.
        Tensor split = xt.view(3, 2, 1);
        assertSame(xt.storage(), split.storage());
        Tensor strided = matrix().slice(1, 0, 3, 2);
        assertRefused(() -> strided.view(4), "view", "[2, 2]");
        assertArrayEquals(new float[] {0, 2, 3, 5}, values(strided.reshape(4)));
    }

    @Test
    void minusOneIsInferredOnceAndChecked() {
        Tensor x = Tensor.zeros(2, 3, 4);
        assertArrayEquals(new long[] {6, 4}, x.view(-1, 4).shape());
        assertArrayEquals(new long[] {2, 12}, x.reshape(2, -1).shape());
        assertArrayEquals(new long[] {24}, x.flatten().shape());
        assertArrayEquals(new long[] {0, 5}, Tensor.zeros(0, 5).view(-1, 5).shape());
        assertRefused(() -> x.view(-1, -1), "view", "only one dim may be -1", "[-1, -1]");
        assertRefused(() -> x.reshape(5, -1), "reshape", "[2, 3, 4]", "24 elements", "[5, -1]");
        assertRefused(() -> x.view(5, 5), "view", "[2, 3, 4]", "[5, 5]");
        assertRefused(() -> x.view(-2, 12), "view", "invalid size -2");
        assertRefused(() -> Tensor.zeros(0, 5).view(0, -1), "view", "[0, -1]");
        // 2^32 * 2^32 wraps to 0 in a long: it must not pass for the 0 elements of an empty tensor.
        assertRefused(() -> Tensor.zeros(0).view(1L << 32, 1L << 32), "view", "[4294967296, 4294967296]");
        assertArrayEquals(new long[] {1L << 32, 1L << 32, 0}, Tensor.zeros(0).view(1L << 32, 1L << 32, 0).shape());
    }

    @Test
    void viewOpsRefuseBadArgumentsByName() {
        Tensor x = matrix();
        assertRefused(() -> x.permute(0), "permute", "[2, 3]");
        assertRefused(() -> x.permute(0, -2), "permute", "repeats");
        assertRefused(() -> x.transpose(0, 2), "transpose", "dim 2", "[2, 3]");
        assertRefused(() -> Tensor.zeros(3).t(), "t", "[3]");
        assertRefused(() -> x.slice(0, 0, 2, 0), "slice", "step");
        assertRefused(() -> x.narrow(1, 2, 2), "narrow", "[2, 4)", "[2, 3]");
        assertRefused(() -> x.narrow(1, -1, 1), "narrow");
        assertRefused(() -> x.select(0, 2), "select", "index 2", "[2, 3]");
        assertRefused(() -> x.select(0, -3), "select", "index -3");
        assertRefused(() -> x.expand(2, 4), "expand", "[2, 3]", "[2, 4]");
        assertRefused(() -> x.expand(3), "expand", "fewer dims");
        assertRefused(() -> x.expand(-1, 2, 3), "expand");
        assertRefused(() -> x.unsqueeze(3), "unsqueeze", "dim 3", "shape [2, 3]", "[-3, 2]");
        assertRefused(() -> x.unsqueeze(-4), "unsqueeze", "dim -4", "shape [2, 3]");
        assertRefused(() -> x.narrow(1, 1, Long.MAX_VALUE), "narrow", "[2, 3]");
        assertRefused(() -> x.squeeze(-3), "squeeze", "dim -3");
    }

    @Test
    void squeezeOfASizeOtherThanOneChangesNothing() {
        Tensor x = matrix();
        assertSame(x, x.squeeze(0));
        assertArrayEquals(new long[] {2, 3}, x.unsqueeze(2).squeeze(2).shape());
        assertArrayEquals(new long[] {2, 1, 3}, x.unsqueeze(-2).shape());
        assertArrayEquals(new long[] {1, 2, 3}, x.unsqueeze(-3).shape());
    }

    @Test
    void contiguousCopiesOnlyWhenItMust() {
        Tensor x = matrix();
        assertSame(x, x.contiguous());
        Tensor xt = x.t();
        assertFalse(xt.isContiguous());
        assertNotSame(xt.storage(), xt.contiguous().storage());
        // Size-1 dims may have any stride and still count as contiguous.
        Tensor row = x.narrow(0, 1, 1);
        assertSame(row, row.contiguous());
        assertArrayEquals(new float[] {3, 4, 5}, row.toFloatArray());
    }

    @Test
    void copyNeverShares() {
        Tensor x = matrix();
        Tensor c = x.copy();
        assertNotSame(x.storage(), c.storage());
        assertArrayEquals(values(x), c.toFloatArray());
    }
}
