/**
 * A demo training run end to end: the presets, the training loop with evaluation per kind of data
 * and checkpoints, decoding with a KV cache, and the run folder's config.json.
 */
package dev.tessera.moe.demo.run;
