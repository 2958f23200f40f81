package io.videoshop.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster bootstrap as a pod runs it: two node JVMs configured like k8s/03-deployment.yaml
 * ({@code VIDEOSHOP_CLUSTER_DISCOVERY=kubernetes-api}, the service account files, the
 * {@code KUBERNETES_SERVICE_*} variables) find each other through a stand-in for the Kubernetes API
 * that lists them as the pods of the label selector, and form one cluster on their own.
 */
class ClusterBootstrapProcessTest {
  private static final String NAMESPACE = "videoshop";
  private static final String TOKEN = "service-account-token";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void twoNodesFindEachOtherThroughTheKubernetesApiAndFormOneCluster(@TempDir Path dir) throws Exception {
    int[] managementPorts = {freePort(), freePort()};
    FakeKubernetesApi api = FakeKubernetesApi.start(dir, managementPorts);
    List<Process> nodes = new ArrayList<>();
    List<StringBuffer> outputs = new ArrayList<>();
    try {
      for (int i = 0; i < managementPorts.length; i++) {
        StringBuffer output = new StringBuffer();
        outputs.add(output);
        nodes.add(startNode(dir, api.port(), managementPorts[i], "node" + i, output));
      }

      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
          .failFast("a node exited", () -> nodes.stream().anyMatch(node -> !node.isAlive()))
          .untilAsserted(() -> {
            for (int port : managementPorts) {
              assertThat(status(port, "/ready")).as("management /ready on %s", port).isEqualTo(200);
            }
          });

      String members = get(managementPorts[1], "/cluster/members").body();
      assertThat(members.split("\"status\":\"Up\"", -1)).as("two Up members in %s", members).hasSize(3);

      // Every query: the pods of the pod's own namespace with the Deployment's label, as the service account.
      assertThat(Set.copyOf(api.requests())).containsExactly(new FakeKubernetesApi.PodQuery(
          "/api/v1/namespaces/" + NAMESPACE + "/pods", "app=videoshop", "Bearer " + TOKEN));
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\n--- node output ---\n" + String.join("\n---\n", outputs), e);
    } finally {
      for (Process node : nodes) node.toHandle().destroy(); // SIGTERM: a graceful leave
      for (Process node : nodes) {
        if (!node.waitFor(60, TimeUnit.SECONDS)) node.destroyForcibly();
      }
      api.stop();
    }
  }

  private Process startNode(Path dir, int apiPort, int managementPort, String name, StringBuffer output)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-Dlogback.configurationFile=logback.xml",
        // Where a pod finds its service account; the files are the test's.
        "-Dpekko.discovery.kubernetes-api.api-ca-path=" + dir.resolve("ca.crt"),
        "-Dpekko.discovery.kubernetes-api.api-token-path=" + dir.resolve("token"),
        "-Dpekko.discovery.kubernetes-api.pod-namespace-path=" + dir.resolve("namespace"),
        "-cp", System.getProperty("java.class.path"), Main.class.getName());
    builder.environment().keySet().removeIf(variable -> variable.startsWith("VIDEOSHOP_"));
    builder.environment().put("VIDEOSHOP_MASTER_KEY", io.videoshop.persistence.privacy.TestMasterKeys.NODE_KEY);
    builder.environment().putAll(Map.of(
        "KUBERNETES_SERVICE_HOST", "127.0.0.1",
        "KUBERNETES_SERVICE_PORT", Integer.toString(apiPort),
        "VIDEOSHOP_CLUSTER_DISCOVERY", "kubernetes-api",
        "VIDEOSHOP_CLUSTER_HOST", "127.0.0.1",
        "VIDEOSHOP_CLUSTER_PORT", "0",
        "VIDEOSHOP_MANAGEMENT_HOST", "127.0.0.1",
        "VIDEOSHOP_MANAGEMENT_PORT", Integer.toString(managementPort),
        "VIDEOSHOP_HTTP_HOST", "127.0.0.1",
        "VIDEOSHOP_HTTP_PORT", "0",
        // Each node's own in-memory journal: this test is about forming the cluster, not data.
        "VIDEOSHOP_DB_URL", "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1;DATABASE_TO_UPPER=false"));
    builder.redirectErrorStream(true);
    Process process = builder.start();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) output.append(line).append('\n');
      } catch (IOException e) {
        output.append(e).append('\n');
      }
    }, "output-" + name);
    reader.setDaemon(true);
    reader.start();
    return process;
  }

  private int status(int port, String path) {
    try {
      return get(port, path).statusCode();
    } catch (Exception notYetListening) {
      return -1;
    }
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * The part of the Kubernetes API that bootstrap uses: HTTPS, a bearer token, and the pod list of
   * a namespace filtered by a label selector. Every pod is on 127.0.0.1 and told apart by its
   * management container port, as the Deployment names it.
   */
  private record FakeKubernetesApi(HttpsServer server, ConcurrentLinkedQueue<PodQuery> queries) {

    record PodQuery(String path, String labelSelector, String authorization) {}

    int port() {
      return server.getAddress().getPort();
    }

    List<PodQuery> requests() {
      return List.copyOf(queries);
    }

    void stop() {
      server.stop(0);
    }

    static FakeKubernetesApi start(Path dir, int[] managementPorts) throws Exception {
      // A certificate for 127.0.0.1 whose PEM stands in for the service account's ca.crt.
      Path keyStore = dir.resolve("api.p12");
      keytool("-genkeypair", "-alias", "api", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
          "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
          "-storepass", "changeit", "-keypass", "changeit");
      keytool("-exportcert", "-rfc", "-alias", "api", "-keystore", keyStore.toString(), "-storepass", "changeit",
          "-file", dir.resolve("ca.crt").toString());
      Files.writeString(dir.resolve("token"), TOKEN);
      Files.writeString(dir.resolve("namespace"), NAMESPACE);

      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keyStore)) {
        keys.load(in, "changeit".toCharArray());
      }
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, "changeit".toCharArray());
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(keyManagers.getKeyManagers(), null, null);

      HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
      ConcurrentLinkedQueue<PodQuery> queries = new ConcurrentLinkedQueue<>();
      server.createContext("/", exchange -> {
        Map<String, String> query = parseQuery(exchange.getRequestURI().getRawQuery());
        queries.add(new PodQuery(exchange.getRequestURI().getPath(), query.get("labelSelector"),
            exchange.getRequestHeaders().getFirst("Authorization")));
        byte[] body = podList(managementPorts).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      server.start();
      return new FakeKubernetesApi(server, queries);
    }

    private static String podList(int[] managementPorts) {
      List<String> pods = new ArrayList<>();
      for (int i = 0; i < managementPorts.length; i++) {
        pods.add("""
            {"metadata":{"name":"videoshop-node-%d","labels":{"app":"videoshop"}},
             "spec":{"containers":[{"name":"node","ports":[{"name":"management","containerPort":%d}]}]},
             "status":{"phase":"Running","podIP":"127.0.0.1"}}""".formatted(i, managementPorts[i]));
      }
      return "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[" + String.join(",", pods) + "]}";
    }

    private static Map<String, String> parseQuery(String raw) {
      if (raw == null) return Collections.emptyMap();
      Map<String, String> values = new HashMap<>();
      for (String pair : raw.split("&")) {
        int equals = pair.indexOf('=');
        if (equals > 0) {
          values.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
        }
      }
      return values;
    }

    private static void keytool(String... arguments) throws Exception {
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
      command.addAll(List.of(arguments));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("keytool %s: %s", command.stream().collect(Collectors.joining(" ")), output)
          .isZero();
    }
  }
}
