package dev.tessera.tests.autograd.rules;

/** Makes one gradient case of an op from a draw; the draw decides shapes, values, dims and weights. */
@FunctionalInterface
interface GradCaseMaker {
    GradCase make(Draw draw);
}
