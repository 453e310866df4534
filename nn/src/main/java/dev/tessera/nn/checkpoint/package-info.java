/**
 * Training checkpoints: atomic, complete-or-absent directories of a model's and an optimizer's
 * tensors and the trainer's state, from which a run resumes bit for bit.
 */
package dev.tessera.nn.checkpoint;
