package dev.tessera.bench;

/** Shapes written as JMH parameters: {@code "4096x1024"} is {@code [4096, 1024]}. */
final class Dims {
    private Dims() {}

    static long[] parse(String text) {
        String[] parts = text.split("x");
        long[] dims = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            dims[i] = Long.parseLong(parts[i].trim());
        }
        return dims;
    }
}
