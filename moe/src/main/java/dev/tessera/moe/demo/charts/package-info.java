/**
 * The demo's pictures, drawn with XChart and written headless as PNG: {@code loss.png} (train and
 * eval loss per kind over steps), {@code experts.png} (per MoE layer, the share of each kind's
 * routed tokens each expert got) and {@code load.png} (per layer, max-load / mean-load over steps,
 * one line per run).
 */
package dev.tessera.moe.demo.charts;
