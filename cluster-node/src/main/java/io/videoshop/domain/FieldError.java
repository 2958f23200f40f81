package io.videoshop.domain;

/** One invalid field of a request body: {@code field} is a JSON path such as {@code settings.timeZone}. */
public record FieldError(String field, String code, String message) {}
