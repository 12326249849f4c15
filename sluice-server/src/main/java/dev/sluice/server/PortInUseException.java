package dev.sluice.server;

/** A port {@code sluice dev} needs is taken; the message names the flag that moves it. */
public final class PortInUseException extends RuntimeException {
    public PortInUseException(String message) {
        super(message);
    }
}
