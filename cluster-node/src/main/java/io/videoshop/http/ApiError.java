package io.videoshop.http;

import io.videoshop.domain.DomainError;
import io.videoshop.domain.FieldError;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * A request that cannot be served, with its HTTP status and a stable machine-readable code; the
 * router turns it into an RFC 9457 {@code application/problem+json} response. Thrown before any
 * change is made (or inside the transaction that then rolls back), so nothing is half-changed.
 */
public final class ApiError extends RuntimeException {
  private final StatusCode status;
  private final String code;
  private final List<FieldError> errors;
  private final Duration retryAfter;

  public ApiError(StatusCode status, String code, String detail, List<FieldError> errors, Duration retryAfter) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
    this.errors = List.copyOf(errors);
    this.retryAfter = retryAfter;
  }

  public ApiError(StatusCode status, String code, String detail) {
    this(status, code, detail, List.of(), null);
  }

  public static ApiError badRequest(String code, String detail) {
    return new ApiError(StatusCodes.BAD_REQUEST, code, detail);
  }

  public static ApiError unauthorized(String code, String detail) {
    return new ApiError(StatusCodes.UNAUTHORIZED, code, detail);
  }

  public static ApiError forbidden(String code, String detail) {
    return new ApiError(StatusCodes.FORBIDDEN, code, detail);
  }

  public static ApiError notFound(String code, String detail) {
    return new ApiError(StatusCodes.NOT_FOUND, code, detail);
  }

  public static ApiError conflict(String code, String detail) {
    return new ApiError(StatusCodes.CONFLICT, code, detail);
  }

  /** 422: the JSON was well formed but some fields are not acceptable. */
  public static ApiError invalid(List<FieldError> errors) {
    return new ApiError(StatusCodes.UNPROCESSABLE_ENTITY, "validation_failed",
        errors.size() == 1 ? errors.get(0).message() : errors.size() + " fields are invalid", errors, null);
  }

  public static ApiError invalid(String field, String code, String message) {
    return invalid(List.of(new FieldError(field, code, message)));
  }

  /**
   * A domain's refusal as problem+json, the one place a {@link DomainError} gets its status: bad
   * request 400, unauthorized 401, forbidden 403, not found 404, conflict 409, gone 410, invalid 422
   * (with its fields), too many requests 429 (with Retry-After), unavailable 503.
   */
  public static ApiError of(DomainError error) {
    StatusCode status = switch (error.kind()) {
      case BAD_REQUEST -> StatusCodes.BAD_REQUEST;
      case UNAUTHORIZED -> StatusCodes.UNAUTHORIZED;
      case FORBIDDEN -> StatusCodes.FORBIDDEN;
      case NOT_FOUND -> StatusCodes.NOT_FOUND;
      case CONFLICT -> StatusCodes.CONFLICT;
      case GONE -> StatusCodes.GONE;
      case INVALID -> StatusCodes.UNPROCESSABLE_ENTITY;
      case TOO_MANY_REQUESTS -> StatusCodes.TOO_MANY_REQUESTS;
      case UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
    };
    return new ApiError(status, error.code(), error.getMessage(), error.errors(), error.retryAfter());
  }

  public static ApiError tooManyRequests(String code, String detail, Duration retryAfter) {
    return new ApiError(StatusCodes.TOO_MANY_REQUESTS, code, detail, List.of(), retryAfter);
  }

  public StatusCode status() {
    return status;
  }

  public String code() {
    return code;
  }

  public List<FieldError> errors() {
    return errors;
  }

  /** For 429: when the client may try again. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
