package io.videoshop.domain;

import java.time.Duration;
import java.util.List;

/**
 * A request a domain cannot serve, in the domain's words: a stable code and what kind of failure
 * it is. Domain code throws it instead of an HTTP type; the HTTP layer
 * ({@code io.videoshop.http.ApiError#of}, applied by the router to anything a handler throws) turns
 * it into problem+json and a socket handler into an {@code error} frame, so no domain package
 * depends on {@code http}.
 */
public final class DomainError extends RuntimeException {
  /** What the HTTP layer maps to a status (in brackets). */
  public enum Kind {
    /** The request itself is malformed (400). */
    BAD_REQUEST,
    /** Who is asking is not known, or no longer (401). */
    UNAUTHORIZED,
    /** Known, but not allowed to (403). */
    FORBIDDEN,
    NOT_FOUND,
    CONFLICT,
    /** It existed and is gone for good: a used or expired invitation (410). */
    GONE,
    /** Well formed, but some fields are not acceptable (422, with the fields). */
    INVALID,
    /** Too many attempts; {@link #retryAfter()} says when to try again (429). */
    TOO_MANY_REQUESTS,
    /** A part the request needs is not answering or not configured (503). */
    UNAVAILABLE
  }

  private final Kind kind;
  private final String code;
  /** With {@link Kind#INVALID}: the fields at fault (at least one). */
  private final List<FieldError> errors;
  private final Duration retryAfter;

  public DomainError(Kind kind, String code, String detail, List<FieldError> errors, Duration retryAfter) {
    super(detail, null, false, false);
    this.kind = kind;
    this.code = code;
    this.errors = List.copyOf(errors);
    this.retryAfter = retryAfter;
  }

  private DomainError(Kind kind, String code, String detail) {
    this(kind, code, detail, List.of(), null);
  }

  public static DomainError badRequest(String code, String detail) {
    return new DomainError(Kind.BAD_REQUEST, code, detail);
  }

  public static DomainError unauthorized(String code, String detail) {
    return new DomainError(Kind.UNAUTHORIZED, code, detail);
  }

  public static DomainError forbidden(String code, String detail) {
    return new DomainError(Kind.FORBIDDEN, code, detail);
  }

  public static DomainError notFound(String code, String detail) {
    return new DomainError(Kind.NOT_FOUND, code, detail);
  }

  public static DomainError conflict(String code, String detail) {
    return new DomainError(Kind.CONFLICT, code, detail);
  }

  public static DomainError gone(String code, String detail) {
    return new DomainError(Kind.GONE, code, detail);
  }

  /** Some fields are not acceptable: code {@code validation_failed}, the fields listed. */
  public static DomainError invalid(List<FieldError> errors) {
    return new DomainError(Kind.INVALID, "validation_failed",
        errors.size() == 1 ? errors.get(0).message() : errors.size() + " fields are invalid", errors, null);
  }

  public static DomainError invalid(String field, String code, String message) {
    return invalid(List.of(new FieldError(field, code, message)));
  }

  /** Fields not acceptable for a reason with a code of its own (e.g. {@code slot_in_past}). */
  public static DomainError unprocessable(String code, String detail, List<FieldError> errors) {
    return new DomainError(Kind.INVALID, code, detail, errors, null);
  }

  public static DomainError tooManyRequests(String code, String detail, Duration retryAfter) {
    return new DomainError(Kind.TOO_MANY_REQUESTS, code, detail, List.of(), retryAfter);
  }

  public static DomainError unavailable(String code, String detail) {
    return new DomainError(Kind.UNAVAILABLE, code, detail);
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }

  /** With {@link Kind#INVALID}: the fields at fault; empty otherwise. */
  public List<FieldError> errors() {
    return errors;
  }

  /** With {@link Kind#TOO_MANY_REQUESTS}: when the client may try again. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
