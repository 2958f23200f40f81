package io.videoshop.protocol;

/**
 * A message the server could not act on. The socket stays open and nothing changed.
 *
 * @param code stable: {@code invalid_json}, {@code missing_type}, {@code unknown_type},
 *     {@code invalid_field}, {@code unsupported_version}, {@code frame_too_large},
 *     {@code binary_not_supported}, {@code rate_limited}, or a domain code such as
 *     {@code not_in_queue}, {@code unknown_reservation}
 * @param field the offending field, when there is one
 */
public record ErrorMessage(String code, String message, String field) implements WidgetEvent, ConsoleEvent, RoomEvent, LiveEvent {
  public static ErrorMessage of(String code, String message) {
    return new ErrorMessage(code, message, null);
  }
}
