/**
 * Tensor files: safetensors (memory-mapped, zero-copy reads) and NumPy's .npy. Every reader
 * validates the whole header against the file's length before it touches any data, and turns
 * every kind of corruption into an {@link java.io.IOException} that names the file and what is
 * wrong; every writer writes a temporary file and renames it over the target.
 */
package dev.tessera.tensor.io;
