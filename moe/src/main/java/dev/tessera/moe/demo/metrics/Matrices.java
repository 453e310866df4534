package dev.tessera.moe.demo.metrics;

/** Deep copies of the records' arrays, checking their shape. */
final class Matrices {
    private Matrices() {}

    static double[][] copy(String what, double[][] m, int rows, int columns) {
        if (m.length != rows) {
            throw new IllegalArgumentException(what + ": " + m.length + " rows, expected " + rows);
        }
        double[][] out = new double[rows][];
        for (int r = 0; r < rows; r++) {
            if (m[r].length != columns) {
                throw new IllegalArgumentException(what + ": row " + r + " has " + m[r].length + " values, expected " + columns);
            }
            out[r] = m[r].clone();
        }
        return out;
    }

    static long[][][] copy(String what, long[][][] m, int layers, int rows, int columns) {
        if (m.length != layers) {
            throw new IllegalArgumentException(what + ": " + m.length + " layers, expected " + layers);
        }
        long[][][] out = new long[layers][rows][];
        for (int l = 0; l < layers; l++) {
            if (m[l].length != rows) {
                throw new IllegalArgumentException(what + ": layer " + l + " has " + m[l].length + " rows, expected " + rows);
            }
            for (int r = 0; r < rows; r++) {
                if (m[l][r].length != columns) {
                    throw new IllegalArgumentException(what + ": layer " + l + " row " + r + " has " + m[l][r].length
                            + " values, expected " + columns);
                }
                out[l][r] = m[l][r].clone();
            }
        }
        return out;
    }
}
