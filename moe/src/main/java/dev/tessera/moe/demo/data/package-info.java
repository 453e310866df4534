/**
 * The demo's training data: byte-level tokens, a synthetic corpus of tagged kinds of text
 * (arithmetic, sorting, reversing, brackets, key-value records, grammar sentences), a corpus read
 * from UTF-8 files, their held-out splits, and the packing of samples into [B, T] batches with
 * next-token targets and per-token kind labels.
 */
package dev.tessera.moe.demo.data;
