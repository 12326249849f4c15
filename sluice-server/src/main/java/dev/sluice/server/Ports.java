package dev.sluice.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Checks, before anything starts, that the ports Sluice will bind are free. */
final class Ports {
    private Ports() {}

    /** {@code port}, or a free one when it is 0: for an address other processes must know before the server binds it. */
    static int concrete(String host, int port) {
        if (port != 0) {
            return port;
        }
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getByName(host))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port on " + host + ": " + e.getMessage(), e);
        }
    }

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
