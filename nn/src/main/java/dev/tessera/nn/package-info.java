/** Modules, layers, losses, optimizers and checkpoints (built by the nn issue). */
package dev.tessera.nn;
