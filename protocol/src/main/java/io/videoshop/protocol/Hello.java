package io.videoshop.protocol;

/**
 * The first message on every socket: who the server thinks the client is and the limits it
 * enforces.
 *
 * @param role {@code shopper}, {@code agent} or {@code live} (the dashboard)
 * @param maxFrameBytes frames larger than this get {@code frame_too_large}
 */
public record Hello(String role, String tenantId, int maxFrameBytes) implements WidgetEvent, ConsoleEvent, LiveEvent {}
