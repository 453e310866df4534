/** The OpenCL backend through LWJGL (built by the OpenCL issue). */
package dev.tessera.opencl;
