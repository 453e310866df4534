package dev.tessera.moe.cli;

/** Where training runs. */
public enum DeviceChoice implements FlagValue {
    CPU("cpu"),
    OPENCL("opencl");

    private final String flag;

    DeviceChoice(String flag) {
        this.flag = flag;
    }

    @Override
    public String flag() {
        return flag;
    }

    /** Reads the flag's value. */
    static final class Converter extends FlagValue.Converter<DeviceChoice> {
        Converter() {
            super(DeviceChoice.class);
        }
    }
}
