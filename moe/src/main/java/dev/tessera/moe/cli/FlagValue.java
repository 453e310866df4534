package dev.tessera.moe.cli;

import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine;

/** An enum constant as the user types it on the command line, in lower case. */
interface FlagValue {
    String flag();

    /** Reads a flag's value as the constant with that {@link #flag()}; the error lists the ones there are. */
    abstract class Converter<E extends Enum<E> & FlagValue> implements CommandLine.ITypeConverter<E> {
        private final Class<E> type;

        Converter(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String value) {
            for (E constant : type.getEnumConstants()) {
                if (constant.flag().equals(value)) {
                    return constant;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not one of "
                    + Arrays.stream(type.getEnumConstants()).map(FlagValue::flag).collect(Collectors.joining(", ")));
        }
    }
}
