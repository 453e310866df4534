package dev.tessera.tests.moe;

import dev.tessera.moe.MoeConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The DeepSeek routing of REFERENCE §1.3 / §1.5, one token at a time, in doubles and plain
 * arrays: the oracle the router is checked against. Sorting is by score, descending, then by
 * index, ascending (the tie rule).
 */
final class ReferenceRouter {
    private ReferenceRouter() {}

    /** logits[t][e] = x[t] . w[e]. */
    static double[][] logits(double[][] x, double[][] w) {
        double[][] out = new double[x.length][w.length];
        for (int t = 0; t < x.length; t++) {
            for (int e = 0; e < w.length; e++) {
                double dot = 0;
                for (int h = 0; h < x[t].length; h++) {
                    dot += x[t][h] * w[e][h];
                }
                out[t][e] = dot;
            }
        }
        return out;
    }

    /** Sigmoid per entry, or softmax per row. */
    static double[][] scores(double[][] logits, MoeConfig.ScoringFunc f) {
        double[][] out = new double[logits.length][];
        for (int t = 0; t < logits.length; t++) {
            double[] l = logits[t];
            double[] s = new double[l.length];
            if (f == MoeConfig.ScoringFunc.SIGMOID) {
                for (int e = 0; e < l.length; e++) {
                    s[e] = 1 / (1 + Math.exp(-l[e]));
                }
            } else {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : l) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int e = 0; e < l.length; e++) {
                    s[e] = Math.exp(l[e] - max);
                    sum += s[e];
                }
                for (int e = 0; e < l.length; e++) {
                    s[e] /= sum;
                }
            }
            out[t] = s;
        }
        return out;
    }

    /** The selection score of each expert of one token: s + bias, -inf outside the kept groups. */
    static double[] choice(double[] s, double[] bias, MoeConfig c) {
        int experts = s.length;
        double[] choice = new double[experts];
        for (int e = 0; e < experts; e++) {
            choice[e] = s[e] + (bias == null ? 0 : bias[e]);
        }
        if (c.topkMethod() == MoeConfig.TopkMethod.GREEDY || c.nGroup() == 1) {
            return choice;
        }
        int per = experts / c.nGroup();
        double[] groupScore = new double[c.nGroup()];
        for (int g = 0; g < c.nGroup(); g++) {
            double[] members = new double[per];
            System.arraycopy(choice, g * per, members, 0, per);
            int[] best = topIndices(members, per);
            groupScore[g] = c.topkMethod() == MoeConfig.TopkMethod.NOAUX_TC
                    ? (per >= 2 ? members[best[0]] + members[best[1]] : members[best[0]])
                    : members[best[0]];
        }
        int[] keptGroups = topIndices(groupScore, c.topkGroup());
        boolean[] kept = new boolean[c.nGroup()];
        for (int g : keptGroups) {
            kept[g] = true;
        }
        for (int e = 0; e < experts; e++) {
            if (!kept[e / per]) {
                choice[e] = Double.NEGATIVE_INFINITY;
            }
        }
        return choice;
    }

    /** The k indices of the largest values, best first, ties to the lower index. */
    static int[] topIndices(double[] v, int k) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            order.add(i);
        }
        order.sort((a, b) -> v[a] != v[b] ? Double.compare(v[b], v[a]) : Integer.compare(a, b));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = order.get(i);
        }
        return out;
    }

    /** The gating weights of one token's chosen experts, from the unbiased scores. */
    static double[] weights(double[] s, int[] chosen, MoeConfig c) {
        double[] w = new double[chosen.length];
        double sum = 0;
        for (int k = 0; k < chosen.length; k++) {
            w[k] = s[chosen[k]];
            sum += w[k];
        }
        boolean normalise = c.scoringFunc() == MoeConfig.ScoringFunc.SIGMOID || c.normTopkProb();
        for (int k = 0; k < chosen.length; k++) {
            w[k] = (normalise ? w[k] / (sum + 1e-20) : w[k]) * c.routedScalingFactor();
        }
        return w;
    }

    /**
     * The smallest gap, over tokens, between the K-th and (K+1)-th selection scores and between the
     * topk_group-th and next group scores: a perturbation smaller than this cannot change the selection.
     */
    static double margin(double[][] scores, double[] bias, MoeConfig c) {
        double margin = Double.POSITIVE_INFINITY;
        int k = c.numExpertsPerTok();
        for (double[] s : scores) {
            double[] choice = choice(s, bias, c);
            int[] order = topIndices(choice, choice.length);
            if (k < choice.length && choice[order[k]] != Double.NEGATIVE_INFINITY) {
                margin = Math.min(margin, choice[order[k - 1]] - choice[order[k]]);
            }
            if (c.isGroupLimited() && c.topkGroup() < c.nGroup()) {
                margin = Math.min(margin, groupGap(s, bias, c));
            }
        }
        return margin;
    }

    private static double groupGap(double[] s, double[] bias, MoeConfig c) {
        int per = s.length / c.nGroup();
        double[] groupScore = new double[c.nGroup()];
        for (int g = 0; g < c.nGroup(); g++) {
            double[] members = new double[per];
            for (int i = 0; i < per; i++) {
                members[i] = s[g * per + i] + (bias == null ? 0 : bias[g * per + i]);
            }
            int[] best = topIndices(members, per);
            groupScore[g] = c.topkMethod() == MoeConfig.TopkMethod.NOAUX_TC && per >= 2
                    ? members[best[0]] + members[best[1]] : members[best[0]];
        }
        int[] order = topIndices(groupScore, c.nGroup());
        return groupScore[order[c.topkGroup() - 1]] - groupScore[order[c.topkGroup()]];
    }
}
