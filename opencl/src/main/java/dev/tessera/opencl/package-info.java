/**
 * The OpenCL backend, through LWJGL: {@link dev.tessera.opencl.OpenClBackend} serves the device
 * {@code opencl}. One Java class and one {@code .cl} file (in this package's resources) per
 * kernel family; {@code common.cl} holds what they share (strided index maps, dtype loads, stores
 * and casts). The runtime picks a device ({@link dev.tessera.opencl.DeviceChoice}), pools its
 * buffers and caches compiled programs in memory and on disk.
 */
package dev.tessera.opencl;
