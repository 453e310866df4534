package dev.tessera.opencl;

/** An OpenCL call failed; the message names the call, the kernel where there is one, and the status code. */
public final class ClException extends RuntimeException {
    private final int code;

    ClException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** The OpenCL status code (negative), or 0 where the failure was not a status code. */
    public int code() {
        return code;
    }
}
