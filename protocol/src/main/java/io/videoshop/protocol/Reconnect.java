package io.videoshop.protocol;

/**
 * The server is about to close this socket (its node is leaving, or the client broke the rules);
 * a client that should carry on reconnects, e.g. with {@code resume}.
 *
 * @param reason {@code node_leaving}, {@code flooding}, {@code replaced} (the same participant opened another socket)
 */
public record Reconnect(String reason, long afterMillis) implements WidgetEvent, ConsoleEvent, RoomEvent, LiveEvent {}
