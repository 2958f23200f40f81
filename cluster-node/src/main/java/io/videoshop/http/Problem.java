package io.videoshop.http;

import io.videoshop.domain.FieldError;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * RFC 9457 problem details. {@code code} is the stable identifier clients switch on; {@code type}
 * is a URI made from it; {@code errors} lists invalid fields for validation problems.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, String code, List<FieldError> errors) {

  public static Problem of(ApiError error) {
    return new Problem("https://videoshop.dev/problems/" + error.code().replace('_', '-'),
        error.status().reason(), error.status().intValue(), error.getMessage(), error.code(), error.errors());
  }
}
