package io.videoshop.notification;

/** A notification request the domain refuses; the routes turn it into a problem with this code. */
public final class NotificationRefused extends RuntimeException {
  public enum Reason {
    INVALID,
    NOT_FOUND
  }

  private final Reason reason;
  private final String code;
  private final String field;

  public NotificationRefused(Reason reason, String code, String field, String message) {
    super(message, null, false, false);
    this.reason = reason;
    this.code = code;
    this.field = field;
  }

  public Reason reason() {
    return reason;
  }

  public String code() {
    return code;
  }

  /** The request field at fault, or null. */
  public String field() {
    return field;
  }
}
