package io.varve.partition;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.varve.partition.cleaner.LogCleaner;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The log cleaner's log lines while a test runs, as logback formats them: attached to the cleaner's
 * logger on creation, detached by {@link #close()}. Thread-safe (logback's list appender is).
 */
final class CleanerLogLines implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(LogCleaner.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    CleanerLogLines() {
        appender.start();
        logger.addAppender(appender);
    }

    /** The formatted messages logged at {@code level} so far. */
    List<String> at(Level level) {
        synchronized (appender) {
            return appender.list.stream()
                    .filter(e -> e.getLevel() == level)
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
