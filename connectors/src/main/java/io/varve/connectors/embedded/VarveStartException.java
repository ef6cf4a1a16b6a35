package io.varve.connectors.embedded;

/** An embedded node could not start (or create its topics) in time; the cause says why. */
public final class VarveStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public VarveStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
