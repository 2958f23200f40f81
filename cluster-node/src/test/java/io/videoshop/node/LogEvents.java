package io.videoshop.node;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Every log event of the JVM from attach to close, as logged (message, MDC, stack trace). */
public final class LogEvents extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();
  private final Logger root;

  public LogEvents() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    setContext(context);
    start();
    root.addAppender(this);
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing(); // the MDC of the logging thread, taken now (it is read later)
    events.add(event);
  }

  public List<ILoggingEvent> events() {
    return List.copyOf(events);
  }

  /** An event's message with its stack trace, if any. */
  public static String text(ILoggingEvent event) {
    return event.getFormattedMessage()
        + (event.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy()));
  }

  @Override
  public void close() {
    root.detachAppender(this);
    stop();
  }
}
