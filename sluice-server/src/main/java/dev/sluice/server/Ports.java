package dev.sluice.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Checks, before anything starts, that the ports {@code sluice dev} will bind are free. */
final class Ports {
    private Ports() {}

    static void requireFree(String host, int port, String what, String flag) {
        if (port == 0) {
            return;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        } catch (IOException e) {
            throw new PortInUseException("port " + port + " (" + what + ") is already in use on " + host
                    + "; stop what is using it or choose another port with " + flag + " <port>");
        }
    }
}
