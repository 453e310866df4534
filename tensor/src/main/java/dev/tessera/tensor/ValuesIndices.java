package dev.tessera.tensor;

/** What topk and sort return: the values and, for each, its index along the dim (I64). */
public record ValuesIndices(Tensor values, Tensor indices) {}
