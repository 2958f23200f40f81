package io.videoshop.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.videoshop.persistence.privacy.TestMasterKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node as a user starts it: a separate JVM running {@link Main}, configured by environment. */
class MainProcessTest {
  // JSON logs escape "/" as "\\/": match up to the port either way.
  private static final Pattern LISTENING = Pattern.compile("listening on http:\\S*?:(\\d+)");

  @Test
  void wrongConfigurationExitsWithCode2NamingEveryKey() throws Exception {
    Result result = runToExit(Map.of("VIDEOSHOP_HTTP_PORT", "70000", "VIDEOSHOP_DB", "oracle"));
    assertThat(result.exitCode).isEqualTo(2);
    assertThat(result.output)
        .contains("VideoShop cannot start. Invalid configuration:")
        .contains("videoshop.http.port: must be between 0 and 65535, was 70000")
        .contains("videoshop.database.kind: must be one of [h2, postgres], was \"oracle\"");
  }

  @Test
  void productionWithoutAMasterKeyExitsWithCode2SayingHowToMakeOne(@TempDir Path data) throws Exception {
    Result result = runToExit(Map.of("VIDEOSHOP_MASTER_KEY", "", "VIDEOSHOP_DATA_DIR", data.toString(),
        "VIDEOSHOP_HTTP_PORT", "0", "VIDEOSHOP_CLUSTER_PORT", "0", "VIDEOSHOP_MANAGEMENT_PORT", "0"));
    assertThat(result.exitCode).as(result.output).isEqualTo(2);
    assertThat(result.output).contains("VideoShop cannot start. no master key: set VIDEOSHOP_MASTER_KEY")
        .contains("openssl rand -base64 32");
  }

  @Test
  void aWrongMasterKeyForTheDatabaseExitsWithCode2(@TempDir Path data) throws Exception {
    // The database knows key id k1 as one key (as a first start would record it) ...
    var settings = new io.videoshop.config.DatabaseSettings(io.videoshop.config.DatabaseSettings.Kind.H2,
        io.videoshop.config.DatabaseSettings.h2FileUrl(data), "", "", 2, Duration.ofSeconds(5));
    try (var pool = io.videoshop.persistence.DatabasePool.open(settings)) {
      io.videoshop.persistence.SchemaMigrations.migrate(pool, settings.kind());
      new io.videoshop.persistence.privacy.PersonalDataVault(pool,
          io.videoshop.persistence.privacy.MasterKeys.of(TestMasterKeys.random("k1"))).checkMasterKeys();
    }
    // ... the node is started with another key under the same id.
    Result result = runToExit(Map.of("VIDEOSHOP_MASTER_KEY", TestMasterKeys.hocon(TestMasterKeys.random("k1")),
        "VIDEOSHOP_DATA_DIR", data.toString(),
        "VIDEOSHOP_HTTP_PORT", "0", "VIDEOSHOP_CLUSTER_PORT", "0", "VIDEOSHOP_MANAGEMENT_PORT", "0"));
    assertThat(result.exitCode).as(result.output).isEqualTo(2);
    assertThat(result.output).contains("VideoShop cannot start. wrong master key: the key configured with id k1");
  }

  @Test
  void unreachableDatabaseExitsWithCode3AndSaysWhere() throws Exception {
    Result result = runToExit(Map.of("VIDEOSHOP_DB", "postgres",
        "VIDEOSHOP_DB_URL", "jdbc:postgresql://127.0.0.1:1/videoshop", "VIDEOSHOP_DB_CONNECTION_TIMEOUT", "2s",
        "VIDEOSHOP_HTTP_PORT", "0", "VIDEOSHOP_CLUSTER_PORT", "0", "VIDEOSHOP_MANAGEMENT_PORT", "0"));
    assertThat(result.exitCode).isEqualTo(3);
    assertThat(result.output).contains(
        "VideoShop cannot start. Cannot connect to the database at jdbc:postgresql://127.0.0.1:1/videoshop");
  }

  @Test
  void startsOnEmbeddedH2StopsOnSigtermAndStartsAgainOnTheSameData(@TempDir Path data) throws Exception {
    for (String logFormat : List.of("text", "json")) {
      Process process = start(Map.of("VIDEOSHOP_DATA_DIR", data.toString(), "VIDEOSHOP_HTTP_HOST", "127.0.0.1",
          "VIDEOSHOP_HTTP_PORT", "0", "VIDEOSHOP_CLUSTER_PORT", "0", "VIDEOSHOP_MANAGEMENT_PORT", "0",
          "VIDEOSHOP_LOG_FORMAT", logFormat));
      NodeOutput output = NodeOutput.follow(process);
      try {
        int httpPort = output.httpPort.get(60, TimeUnit.SECONDS);
        assertThat(ready(httpPort)).isTrue();
      } finally {
        // SIGTERM (through the handle: Process.destroy would also close our end of its output).
        process.toHandle().destroy();
      }
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
      String text = output.all.get(10, TimeUnit.SECONDS);
      assertThat(text).contains("Running CoordinatedShutdown with reason [JvmExitReason]");
      // Main sizes the common pool before anything uses it: no thread per callback (see Main.shareTheCommonPool).
      assertThat(text).containsPattern("Callbacks of Pekko futures run on the common pool \\(parallelism ([2-9]|\\d\\d+)\\)");
      if (logFormat.equals("json")) {
        assertThat(text.lines().filter(line -> line.startsWith("{")))
            .anySatisfy(line -> assertThat(line).contains("\"level\":\"INFO\"")
                .contains("\"formattedMessage\":\"VideoShop node pekko:"));
      } else {
        assertThat(text).contains("INFO  [main] io.videoshop.node.VideoShopNode - VideoShop node pekko://videoshop@");
      }
      assertThat(data.resolve("videoshop.mv.db")).exists();
    }
  }

  private static boolean ready(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      HttpResponse<String> response = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/ready")).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 200) return true;
      Thread.sleep(200);
    }
    return false;
  }

  private record Result(int exitCode, String output) {}

  private static Result runToExit(Map<String, String> env) throws Exception {
    Process process = start(env);
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private static Process start(Map<String, String> env) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Dlogback.configurationFile=logback.xml", // the product's logging, not the tests'
        "-cp", System.getProperty("java.class.path"), Main.class.getName());
    builder.environment().keySet().removeIf(name -> name.startsWith("VIDEOSHOP_"));
    builder.environment().put("VIDEOSHOP_MASTER_KEY", TestMasterKeys.NODE_KEY); // a test's env may replace it
    builder.environment().putAll(env);
    builder.redirectErrorStream(true);
    return builder.start();
  }

  /** Reads the node's output to its end (so it never blocks on a full pipe), noting its HTTP port. */
  private record NodeOutput(CompletableFuture<Integer> httpPort, CompletableFuture<String> all) {
    static NodeOutput follow(Process process) {
      NodeOutput output = new NodeOutput(new CompletableFuture<>(), new CompletableFuture<>());
      Thread reader = new Thread(() -> {
        List<String> lines = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            lines.add(line);
            Matcher matcher = LISTENING.matcher(line);
            if (matcher.find()) output.httpPort.complete(Integer.parseInt(matcher.group(1)));
          }
        } catch (IOException e) {
          lines.add(e.toString());
        }
        output.httpPort.completeExceptionally(new IllegalStateException("node exited before listening:\n" + lines));
        output.all.complete(String.join("\n", lines));
      });
      reader.setDaemon(true);
      reader.start();
      return output;
    }
  }
}
