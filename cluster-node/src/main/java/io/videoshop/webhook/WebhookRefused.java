package io.videoshop.webhook;

/** Why a webhook request was refused; mapped to an API error at the edge ({@link WebhookRoutes}). */
public final class WebhookRefused extends RuntimeException {
  public enum Reason {
    INVALID,
    NOT_FOUND,
    LIMIT_REACHED
  }

  private final Reason reason;
  private final String field;
  private final String code;

  private WebhookRefused(Reason reason, String field, String code, String message) {
    super(message, null, false, false);
    this.reason = reason;
    this.field = field;
    this.code = code;
  }

  static WebhookRefused invalid(String field, String code, String message) {
    return new WebhookRefused(Reason.INVALID, field, code, message);
  }

  static WebhookRefused of(Reason reason, String code, String message) {
    return new WebhookRefused(reason, null, code, message);
  }

  public Reason reason() {
    return reason;
  }

  public String field() {
    return field;
  }

  public String code() {
    return code;
  }
}
