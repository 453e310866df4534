package dev.tessera.moe.cli;

/** The built-in model and run sizes. */
public enum Preset implements ModelChoice, FlagValue {
    /** The demo's: trains within minutes on two CPU cores. */
    TINY("tiny"),
    /** Larger, for a machine with time or a GPU. */
    SMALL("small");

    private final String flag;

    Preset(String flag) {
        this.flag = flag;
    }

    @Override
    public String flag() {
        return flag;
    }

    /** Reads the flag's value. */
    static final class Converter extends FlagValue.Converter<Preset> {
        Converter() {
            super(Preset.class);
        }
    }
}
