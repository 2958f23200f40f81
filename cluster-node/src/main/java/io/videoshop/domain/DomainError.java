package io.videoshop.domain;

/**
 * A request a domain cannot serve, in the domain's words: a stable code and what kind of failure
 * it is. Domain code throws it instead of an HTTP type; the HTTP layer
 * ({@code io.videoshop.http.ApiError#of}) turns it into problem+json and the socket layer into an
 * {@code error} frame, so no domain package depends on {@code http}.
 */
public final class DomainError extends RuntimeException {
  /** What the HTTP layer maps to a status: 503, 409, 422, 404. */
  public enum Kind {
    UNAVAILABLE,
    CONFLICT,
    INVALID,
    NOT_FOUND
  }

  private final Kind kind;
  private final String code;
  /** With {@link Kind#INVALID}: the field at fault, if one is. */
  private final String field;

  public DomainError(Kind kind, String code, String detail, String field) {
    super(detail, null, false, false);
    this.kind = kind;
    this.code = code;
    this.field = field;
  }

  public static DomainError unavailable(String code, String detail) {
    return new DomainError(Kind.UNAVAILABLE, code, detail, null);
  }

  public static DomainError conflict(String code, String detail) {
    return new DomainError(Kind.CONFLICT, code, detail, null);
  }

  public static DomainError notFound(String code, String detail) {
    return new DomainError(Kind.NOT_FOUND, code, detail, null);
  }

  public static DomainError invalid(String field, String code, String detail) {
    return new DomainError(Kind.INVALID, code, detail, field);
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }

  public String field() {
    return field;
  }
}
