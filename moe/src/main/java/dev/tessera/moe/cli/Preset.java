package dev.tessera.moe.cli;

/** The built-in model and run sizes. */
public enum Preset implements ModelChoice, FlagValue {
    /** For tests: trains in seconds. */
    TINY("tiny"),
    /** The demo's (make demo): about five minutes on two CPU cores. */
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
