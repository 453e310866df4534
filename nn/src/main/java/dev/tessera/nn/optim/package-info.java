/**
 * Training: optimizers (SGD, AdamW, Lion) over parameter groups, with a state dict for
 * checkpoints; learning-rate schedules; gradient clipping by global norm.
 */
package dev.tessera.nn.optim;
