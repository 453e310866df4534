package dev.tessera.tests.moe.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.demo.data.Batch;
import dev.tessera.moe.demo.data.Batcher;
import dev.tessera.moe.demo.data.Sample;
import dev.tessera.moe.demo.data.SyntheticCorpus;
import dev.tessera.moe.demo.data.Tokens;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packing samples into [B, T] rows: shapes, targets shifted by one within a sample, kinds, padding. */
class BatcherTest {
    @Test
    void aHandPackedBatch() {
        // T = 6, rows of 7 tokens: "ab" (4 tokens) then "xyz" (5) does not fit, so it starts row 2
        List<Sample> samples = List.of(Sample.whole(0, "a", "b"), Sample.whole(1, "xy", "z"));
        List<Batch> batches = Batcher.all(samples, 2, 6);
        assertEquals(1, batches.size());
        Batch b = batches.getFirst();
        int bos = Tokens.BOS;
        int eos = Tokens.EOS;
        int pad = Tokens.PAD;
        int no = Tokens.IGNORE;
        assertArrayEquals(new int[] {bos, 'a', 'b', eos, pad, pad, bos, 'x', 'y', 'z', eos, pad}, b.inputs());
        assertArrayEquals(new int[] {'a', 'b', eos, no, no, no, 'x', 'y', 'z', eos, no, no}, b.targets());
        assertArrayEquals(new int[] {0, 0, 0, 0, -1, -1, 1, 1, 1, 1, 1, -1}, b.kinds());
        assertEquals(7, b.targetCount());
    }

    @Test
    void targetsAreTheNextInputWithinASampleAndIgnoredAcrossOne() {
        int rows = 4;
        int length = 96;
        Batcher batcher = new Batcher(new SyntheticCorpus(2).train(), rows, length);
        for (int n = 0; n < 20; n++) {
            Batch batch = batcher.next();
            int[] in = batch.inputs();
            int[] target = batch.targets();
            int[] kind = batch.kinds();
            assertEquals(rows * length, in.length);
            for (int r = 0; r < rows; r++) {
                assertEquals(Tokens.BOS, in[r * length], "every row starts a sample");
                for (int t = 0; t < length; t++) {
                    int at = r * length + t;
                    if (in[at] == Tokens.PAD) {
                        assertEquals(Tokens.IGNORE, target[at]);
                        assertEquals(Tokens.NO_KIND, kind[at]);
                    } else {
                        assertTrue(kind[at] >= 0 && kind[at] < 6);
                    }
                    if (in[at] == Tokens.EOS) {
                        assertEquals(Tokens.IGNORE, target[at], "no guessing across a sample boundary");
                    }
                    if (target[at] != Tokens.IGNORE && t + 1 < length) {
                        assertEquals(in[at + 1], target[at], "shifted by one");
                        assertEquals(kind[at], kind[at + 1], "within one sample");
                    }
                }
            }
        }
    }

    @Test
    void everySampleArrivesWholeAndInOrder() {
        List<Sample> samples = new SyntheticCorpus(4).heldOut(300);
        List<Batch> batches = Batcher.all(samples, 3, 64);
        List<String> seen = new ArrayList<>();
        long targets = 0;
        for (Batch b : batches) {
            int[] in = b.inputs();
            int[] target = b.targets();
            StringBuilder text = null;
            for (int i = 0; i < in.length; i++) {
                if (in[i] == Tokens.BOS) {
                    text = new StringBuilder();
                } else if (text != null && in[i] < Tokens.BYTES) {
                    text.append((char) in[i]);
                }
                if (text != null && (target[i] == Tokens.EOS || (i % b.length() == b.length() - 1 && in[i] != Tokens.EOS
                        && in[i] != Tokens.PAD))) {
                    // a sample ends here (its EOS is the next token, perhaps the row's last, a target only)
                    seen.add(text.toString());
                    text = null;
                }
            }
            targets += b.targetCount();
        }
        assertEquals(samples.stream().map(Sample::text).toList(), seen);
        assertEquals(samples.stream().mapToLong(s -> s.tokenCount() - 1).sum(), targets, "every next token inside a sample");
    }

    @Test
    void tensorsAreI64OfShapeBT() {
        Batch b = new Batcher(new SyntheticCorpus(1).train(), 2, 70).next();
        Tensor ids = b.inputIds();
        Tensor targets = b.targetIds();
        assertArrayEquals(new long[] {2, 70}, ids.shape());
        assertArrayEquals(new long[] {2, 70}, targets.shape());
        assertEquals(DType.I64, ids.dtype());
        assertEquals(DType.I64, targets.dtype());
        assertArrayEquals(Arrays.stream(b.inputs()).asLongStream().toArray(), ids.toLongArray());
        assertArrayEquals(Arrays.stream(b.targets()).asLongStream().toArray(), targets.toLongArray());
    }

    @Test
    void theSameStreamGivesTheSameBatchesAndBadSizesAreRefused() {
        Iterator<Sample> a = new SyntheticCorpus(6).train();
        Iterator<Sample> b = new SyntheticCorpus(6).train();
        Batcher x = new Batcher(a, 2, 64);
        Batcher y = new Batcher(b, 2, 64);
        for (int i = 0; i < 10; i++) {
            assertEquals(x.next(), y.next());
        }
        assertThrows(IllegalArgumentException.class, () -> new Batcher(a, 0, 8));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> Batcher.all(List.of(Sample.whole(0, "0123456789", "")), 1, 8));
        assertTrue(tooLong.getMessage().contains("12 tokens"), tooLong.getMessage());
        assertTrue(Batcher.all(List.of(), 2, 8).isEmpty());
        assertEquals("12+35=", Tokens.decode(Tokens.prompt("12+35=")));
        assertEquals("47", Tokens.decode(new int[] {'4', '7', Tokens.EOS, 'x'}));
    }
}
