package dev.tessera.tests.ops;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Everything the suite knows about one catalog op: the dtypes it accepts (the first is drawn most
 * often), the shapes its cases start from, the case maker, the tolerance against the reference,
 * and its bad calls. An op that no argument can make fail says why in {@code acceptsEveryInput}
 * instead of listing error cases.
 */
record OpInfo(Op op, List<DType> dtypes, int minRank, Arbitrary<long[]> shapes, CaseMaker maker,
        Tolerance tolerance, List<ErrorCase> errors, String acceptsEveryInput) {

    /** Random cases of this op for the equivalence properties. */
    Arbitrary<OpCase> samples() {
        Arbitrary<DType> types = dtypes.size() == 1
                ? Arbitraries.just(dtypes.get(0))
                : Arbitraries.frequencyOf(
                        Tuple.of(3, Arbitraries.just(dtypes.get(0))),
                        Tuple.of(2, Arbitraries.of(dtypes.subList(1, dtypes.size()))));
        return Combinators.combine(shapes, types, Arbitraries.of(Layout.values()), Arbitraries.longs())
                .as(maker::make);
    }

    /** The fixed case of this op for an edge shape, in the op's first dtype. */
    OpCase edgeCase(EdgeShape edge) {
        return maker.make(edge.shapeFor(minRank), dtypes.get(0), edge.layout(), EdgeShape.SEED);
    }

    static Builder of(Op op) {
        return new Builder(op);
    }

    static final class Builder {
        private final Op op;
        private List<DType> dtypes = List.of(DType.F32);
        private int minRank;
        private Arbitrary<long[]> shapes;
        private CaseMaker maker;
        private Tolerance tolerance;
        private final List<ErrorCase> errors = new ArrayList<>();
        private String acceptsEveryInput;

        private Builder(Op op) {
            this.op = op;
        }

        Builder dtypes(List<DType> types) {
            this.dtypes = List.copyOf(types);
            return this;
        }

        Builder dtypes(DType... types) {
            return dtypes(Arrays.asList(types));
        }

        /** The smallest rank the op accepts (1 for ops that work along a dim). */
        Builder minRank(int rank) {
            this.minRank = rank;
            return this;
        }

        Builder shapes(Arbitrary<long[]> arbitrary) {
            this.shapes = arbitrary;
            return this;
        }

        Builder maker(CaseMaker caseMaker) {
            this.maker = caseMaker;
            return this;
        }

        Builder tolerance(Tolerance t) {
            this.tolerance = t;
            return this;
        }

        /** A bad call; its message must contain the op's name and every fragment. */
        Builder error(String description, ErrorCase.Call call, String... fragments) {
            errors.add(new ErrorCase(description, call, List.of(fragments)));
            return this;
        }

        Builder acceptsEveryInput(String why) {
            this.acceptsEveryInput = why;
            return this;
        }

        OpInfo build() {
            return new OpInfo(op, dtypes, minRank, shapes == null ? Shapes.small(minRank) : shapes,
                    Objects.requireNonNull(maker, op + ": no case maker"),
                    Objects.requireNonNull(tolerance, op + ": no tolerance"),
                    List.copyOf(errors), acceptsEveryInput);
        }
    }
}
