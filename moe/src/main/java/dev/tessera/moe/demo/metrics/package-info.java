/**
 * What a demo run measures, per kind of data: losses over steps, routed tokens per layer, kind and
 * expert, and the experts' load balance over steps; accumulators fed from batches, and the plain
 * records the charts and the report read.
 */
package dev.tessera.moe.demo.metrics;
