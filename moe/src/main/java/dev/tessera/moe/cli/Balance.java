package dev.tessera.moe.cli;

/** How the routed experts' load is kept even during training. */
public enum Balance implements FlagValue {
    /** DeepSeek-V3's auxiliary-loss-free bias update (the default). */
    BIAS("bias"),
    /** The sequence-wise balance loss added to the training loss. */
    AUX("aux"),
    /** Neither: shows what happens without balancing. */
    NONE("none");

    private final String flag;

    Balance(String flag) {
        this.flag = flag;
    }

    @Override
    public String flag() {
        return flag;
    }

    /** Reads the flag's value. */
    static final class Converter extends FlagValue.Converter<Balance> {
        Converter() {
            super(Balance.class);
        }
    }
}
