/** Reverse-mode automatic differentiation: the derivative rule of every op (built by the Autograd issue). */
package dev.tessera.autograd;
