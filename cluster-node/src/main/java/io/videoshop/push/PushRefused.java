package io.videoshop.push;

/** A push subscription request that cannot be served; the routes map it to problem+json. Nothing was changed. */
public final class PushRefused extends RuntimeException {

  public enum Reason {
    /** A field of the subscription is missing or wrong ({@link #field()} says which). */
    INVALID,
    /** The endpoint's host is not an allowed push service. */
    ENDPOINT_NOT_ALLOWED,
    /** The user has as many subscribed browsers as allowed. */
    LIMIT_REACHED,
    /** No such subscription of this user. */
    NOT_FOUND,
    /** API keys have no browsers: push is for signed-in users. */
    NOT_A_USER
  }

  private final Reason reason;
  private final String field;
  private final String code;

  PushRefused(Reason reason, String field, String code, String message) {
    super(message, null, false, false);
    this.reason = reason;
    this.field = field;
    this.code = code;
  }

  static PushRefused invalid(String field, String code, String message) {
    return new PushRefused(Reason.INVALID, field, code, message);
  }

  static PushRefused of(Reason reason, String code, String message) {
    return new PushRefused(reason, null, code, message);
  }

  public Reason reason() {
    return reason;
  }

  /** The JSON field at fault ({@link Reason#INVALID} only). */
  public String field() {
    return field;
  }

  /** The stable code: a field error's code for INVALID, the problem's code otherwise. */
  public String code() {
    return code;
  }
}
