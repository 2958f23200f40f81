package io.videoshop.reporting;

/** A report asked for wrongly (the route maps it to a problem with this stable code). */
public final class ReportQueryException extends RuntimeException {
  public enum Kind { INVALID, FORBIDDEN, NOT_FOUND }

  private final Kind kind;
  private final String code;

  ReportQueryException(Kind kind, String code, String message) {
    super(message);
    this.kind = kind;
    this.code = code;
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }
}
