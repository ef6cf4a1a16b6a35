package io.varve.storage.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects Pekko's reports of messages that failed {@code serialize-messages} verification. Pekko
 * drops such a message and only logs it ("swallowing exception during message send"), so the test
 * kits (it's VarveCluster, connectors' TestNode) ask this appender at the end of every test class
 * and fail when anything was dropped. Registered in those modules' logback-test.xml.
 */
public final class SerializationCheckAppender extends AppenderBase<ILoggingEvent> {
    private static final List<String> FAILURES = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.contains("swallowing exception during message send")) {
            Object cause = event.getThrowableProxy() == null
                    ? ""
                    : event.getThrowableProxy().getMessage();
            FAILURES.add(message + ": " + cause);
        }
    }

    /** Failures seen so far, cleared by the call. */
    public static List<String> drain() {
        List<String> copy = List.copyOf(FAILURES);
        FAILURES.clear();
        return copy;
    }
}
