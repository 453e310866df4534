package dev.tessera.moe.demo.run;

/**
 * How the next token is picked from the logits: the most likely at temperature 0, else a draw from
 * softmax(logits / temperature) kept to the smallest set of most likely tokens whose probability
 * reaches {@code topP}, from a generator seeded with {@code seed}.
 */
public record Sampling(double temperature, double topP, long seed) {
    public static final Sampling GREEDY = new Sampling(0, 1, 0);

    public Sampling {
        if (!(temperature >= 0) || Double.isInfinite(temperature) || !(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("Sampling: need a finite temperature >= 0 and top-p in (0, 1], got "
                    + temperature + " and " + topP);
        }
    }

    public boolean greedy() {
        return temperature == 0;
    }
}
