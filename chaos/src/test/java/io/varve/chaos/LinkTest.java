package io.varve.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LinkTest {
    @Test
    void aCutLinkHoldsBytesAndDeliversThemWhenMended() throws Exception {
        try (ServerSocket echo = echoServer()) {
            try (Link link = linkTo(echo);
                    Socket client = new Socket("127.0.0.1", link.port())) {
                client.setSoTimeout(10_000);
                OutputStream out = client.getOutputStream();
                InputStream in = client.getInputStream();
                out.write('a');
                assertThat(in.read()).isEqualTo('a');

                link.cut();
                out.write('b');
                client.setSoTimeout(500);
                assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);

                link.mend();
                client.setSoTimeout(10_000);
                assertThat(in.read()).isEqualTo('b');
                assertThat(link.isCut()).isFalse();
            }
        }
    }

    @Test
    void aDelayedConnectionCarriesBytesInOrderNoSoonerThanTheDelayEachWay() throws Exception {
        Duration delay = Duration.ofMillis(300);
        try (ServerSocket echo = echoServer()) {
            try (Link link = linkTo(echo)) {
                link.delayNewConnections(delay);
                try (Socket client = new Socket("127.0.0.1", link.port())) {
                    client.setSoTimeout(10_000);
                    long sent = System.nanoTime();
                    client.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
                    byte[] echoed = client.getInputStream().readNBytes(3);
                    long roundTrip = System.nanoTime() - sent;
                    assertThat(new String(echoed, StandardCharsets.US_ASCII)).isEqualTo("abc");
                    assertThat(Duration.ofNanos(roundTrip)).isGreaterThanOrEqualTo(delay.multipliedBy(2));
                }
                assertThat(link.delayedConnections()).isEqualTo(1);
            }
        }
    }

    /** A loopback server echoing the first connection it accepts, on a daemon thread. */
    private static ServerSocket echoServer() throws IOException {
        ServerSocket echo = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> echoOnce(echo));
        server.setDaemon(true);
        server.start();
        return echo;
    }

    private static Link linkTo(ServerSocket echo) throws IOException {
        return Link.start(
                "test", new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", echo.getLocalPort()));
    }

    private static void echoOnce(ServerSocket server) {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
                out.flush();
            }
        } catch (IOException e) {
            // the test closed the connection
        }
    }
}
