package dev.neuralsparse.job.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback ports for local servers and their listeners, each free when chosen and never one this
 * JVM handed out before: the kernel may give a just-closed port again, and a stack whose
 * listeners got the same port twice failed to start (Kafka's SASL_SSL and controller listeners,
 * in a test run).
 */
public final class FreePorts {
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {}

    public static int next() {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new StackException("cannot find a free port: " + e.getMessage(), e);
            }
        }
    }
}
