package dev.tessera.moe.cli;

import dev.tessera.moe.demo.data.DataSource;
import picocli.CommandLine;

/** Reads {@code --data synthetic|text:PATH}. */
final class DataSourceConverter implements CommandLine.ITypeConverter<DataSource> {
    @Override
    public DataSource convert(String value) {
        try {
            return DataSource.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
