package dev.tessera.tests.ops;

import dev.tessera.tensor.Op;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** The registry: one {@link OpInfo} per catalog op, gathered from one method per op group. */
final class OpInfos {
    private static final Map<Op, OpInfo> ALL = collect(Stream.of(
            OpInfosUnary.unary(),
            OpInfosBinary.binary(),
            OpInfosBinary.comparison(),
            OpInfosTernary.ternary(),
            OpInfosCopy.copy(),
            OpInfosReduce.reduce(),
            OpInfosReduce.argReduce(),
            OpInfosAlongDim.alongDim(),
            OpInfosMatmul.matmul(),
            OpInfosIndex.index(),
            OpInfosJoin.join(),
            OpInfosMovement.movement(),
            OpInfosLoss.loss(),
            OpInfosNorm.norm(),
            OpInfosAttention.attention(),
            OpInfosMoe.moe()));

    private OpInfos() {}

    private static Map<Op, OpInfo> collect(Stream<List<OpInfo>> groups) {
        Map<Op, OpInfo> map = new EnumMap<>(Op.class);
        groups.flatMap(List::stream).forEach(info -> {
            if (map.put(info.op(), info) != null) {
                throw new IllegalStateException("two OpInfo entries for " + info.op());
            }
        });
        return Collections.unmodifiableMap(map);
    }

    /** Every entry, by op. */
    static Map<Op, OpInfo> all() {
        return ALL;
    }

    static OpInfo get(Op op) {
        OpInfo info = ALL.get(op);
        if (info == null) {
            throw new IllegalStateException("no OpInfo for " + op);
        }
        return info;
    }

    /** Cases of every op of the group, each op equally likely. */
    static Arbitrary<OpCase> samplesOf(Op.Group group) {
        List<Arbitrary<OpCase>> perOp = ALL.values().stream()
                .filter(info -> info.op().group() == group)
                .map(OpInfo::samples)
                .toList();
        if (perOp.isEmpty()) {
            throw new IllegalStateException("no OpInfo in group " + group);
        }
        return Arbitraries.oneOf(perOp);
    }
}
