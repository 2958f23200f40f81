package io.videoshop.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.videoshop.access.ApiKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The docs keep up with the code: every error code the API can answer (read from the sources'
 * {@code ApiError}s) is listed in docs/access.md, and every API key scope is in the OpenAPI enum.
 */
class DocumentedErrorsTest {
  private static final Path REPOSITORY = Path.of(System.getProperty("videoshop.repository", "..")).normalize();
  /**
   * {@code ApiError.conflict("code", ...)}, {@code new ApiError(StatusCodes.GONE, "prefix_" + x, ...)}, and the
   * domains' {@code DomainError.notFound("code", ...)} (problem+json at the edge).
   */
  private static final Pattern RAISED = Pattern.compile(
      "(?:ApiError\\.(?:badRequest|unauthorized|forbidden|notFound|conflict|tooManyRequests)\\(|"
          + "DomainError\\.(?:unavailable|conflict|notFound)\\(|"
          + "new ApiError\\(\\s*StatusCodes\\.[A-Z_]+,)\\s*\"([a-z][a-z0-9_]*)\"(\\s*\\+)?");
  private static final Pattern DOCUMENTED = Pattern.compile("`([a-z][a-z0-9_]*)`");

  @Test
  void everyErrorCodeTheApiAnswersIsListedInTheAccessDocs() throws IOException {
    Set<String> codes = new TreeSet<>();
    Set<String> prefixes = new TreeSet<>();
    try (Stream<Path> sources = Files.walk(REPOSITORY.resolve("cluster-node/src/main/java"))) {
      for (Path source : sources.filter(path -> path.toString().endsWith(".java")).toList()) {
        Matcher raised = RAISED.matcher(Files.readString(source));
        while (raised.find()) (raised.group(2) != null ? prefixes : codes).add(raised.group(1));
      }
    }
    assertThat(codes).as("the scan finds the codes").contains("validation_failed", "not_found", "body_too_large");

    String access = Files.readString(REPOSITORY.resolve("docs/access.md"));
    String errors = access.substring(access.indexOf("## Errors"));
    Set<String> documented = new TreeSet<>();
    Matcher listed = DOCUMENTED.matcher(errors);
    while (listed.find()) documented.add(listed.group(1));

    assertThat(documented).as("codes missing from docs/access.md, section Errors").containsAll(codes);
    for (String prefix : prefixes) {
      assertThat(documented).as("codes %s… in docs/access.md", prefix).anyMatch(code -> code.startsWith(prefix));
    }
  }

  @Test
  void everyApiKeyScopeIsInTheOpenApiEnum() throws IOException {
    JsonNode openApi = new ObjectMapper(new YAMLFactory())
        .readTree(REPOSITORY.resolve("cluster-node/src/main/resources/openapi.yaml").toFile());
    JsonNode scopes = openApi.at("/paths/~1api~1v1~1tenants~1{tenantId}~1api-keys/post/requestBody/content"
        + "/application~1json/schema/properties/scopes/items/enum");
    assertThat(scopes.isArray()).as("the scopes enum of POST .../api-keys").isTrue();
    Set<String> enumerated = new TreeSet<>();
    scopes.forEach(scope -> enumerated.add(scope.asText()));
    assertThat(enumerated).isEqualTo(new TreeSet<>(ApiKeys.SCOPES));
  }
}
