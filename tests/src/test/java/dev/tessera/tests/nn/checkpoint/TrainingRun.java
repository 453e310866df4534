package dev.tessera.tests.nn.checkpoint;

import dev.tessera.nn.Dropout;
import dev.tessera.nn.Embedding;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Losses;
import dev.tessera.nn.Module;
import dev.tessera.nn.optim.AdamW;
import dev.tessera.nn.optim.Lion;
import dev.tessera.nn.optim.LrSchedule;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroup;
import dev.tessera.nn.optim.ParamGroups;
import dev.tessera.nn.optim.SGD;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A small training run whose every source of randomness is a named {@link Generator}: the batches
 * ("data") and the dropout masks ("dropout"). Two runs built alike take the same steps bit for bit.
 */
final class TrainingRun {
    static final long VOCAB = 10;
    static final long DIM = 8;
    static final long HIDDEN = 16;
    static final int BATCH = 6;
    static final int TOTAL_STEPS = 40;
    static final LrSchedule SCHEDULE = LrSchedule.warmupCosine(0.02, 5, TOTAL_STEPS, 0.002);

    /** The optimizers the resume tests cover, each over the decay / no-decay groups. */
    enum Kind {
        ADAMW(groups -> new AdamW(groups)),
        LION(groups -> new Lion(groups)),
        SGD_MOMENTUM(groups -> new SGD(groups, 0.9, false));

        final Function<List<ParamGroup>, Optimizer> make;

        Kind(Function<List<ParamGroup>, Optimizer> make) {
            this.make = make;
        }
    }

    /** embed -> Linear -> silu -> dropout -> Linear head. */
    static final class Net extends Module {
        final Embedding embed;
        final Linear up;
        final Dropout dropout;
        final Linear head;

        Net(Generator init, Generator masks) {
            embed = register("embed_tokens", new Embedding(VOCAB, DIM, init));
            up = register("up_proj", new Linear(DIM, HIDDEN, true, init));
            dropout = register("dropout", new Dropout(0.25, masks));
            head = register("lm_head", new Linear(HIDDEN, VOCAB, true, init));
        }

        Tensor forward(Tensor ids) {
            return head.forward(dropout.forward(up.forward(embed.forward(ids)).silu()));
        }
    }

    final Net model;
    final Optimizer optimizer;
    final Generator data = new Generator(11);
    final Generator masks = new Generator(12);

    /** A run whose weights start from {@code initSeed}; a resumed run's start is overwritten by the checkpoint. */
    TrainingRun(Kind kind, long initSeed) {
        model = new Net(new Generator(initSeed), masks);
        optimizer = kind.make.apply(ParamGroups.decayAndNoDecay(model, SCHEDULE.lr(0), 0.1));
    }

    Map<String, Generator> generators() {
        Map<String, Generator> out = new LinkedHashMap<>();
        out.put("data", data);
        out.put("dropout", masks);
        return out;
    }

    /** Steps {@code from} (inclusive) to {@code to}: the next token of random ids is (id * 3 + 1) mod VOCAB. */
    void train(long from, long to) {
        for (long step = from; step < to; step++) {
            Tensor ids = Tensor.randint(data, 0, VOCAB, BATCH);
            Tensor targets = Tensor.of(nextTokens(ids.toLongArray()), BATCH);
            optimizer.setLr(SCHEDULE.lr(step));
            optimizer.zeroGrad();
            Losses.crossEntropy(model.forward(ids), targets).backward();
            optimizer.step();
        }
    }

    private static long[] nextTokens(long[] ids) {
        long[] out = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = (ids[i] * 3 + 1) % VOCAB;
        }
        return out;
    }
}
