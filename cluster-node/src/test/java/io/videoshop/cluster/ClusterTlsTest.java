package io.videoshop.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.videoshop.config.SettingsException;
import io.videoshop.node.LogEvents;
import io.videoshop.node.TestNodes;
import io.videoshop.node.VideoShopNode;
import io.videoshop.persistence.TestDatabase;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Artery over TLS with mutual authentication (videoshop.cluster.transport = tls-tcp): two nodes
 * holding certificates of one CA form a cluster; a node whose certificate another CA issued is
 * refused at the handshake and never becomes a member; a node missing its files does not start.
 * The certificates are made here with the JDK's keytool, as PEM files like a Kubernetes TLS Secret.
 */
class ClusterTlsTest {
  private static final String PASSWORD = "test-only";

  @TempDir
  Path directory;

  @Test
  void nodesWithTheClustersCertificatesFormItAndAStrangerIsRefusedAtTheHandshake() throws Exception {
    Path cluster = certificates(directory.resolve("cluster"));
    Path stranger = certificates(directory.resolve("stranger"));
    List<VideoShopNode> nodes = new ArrayList<>();
    try (LogEvents log = new LogEvents()) {
      VideoShopNode first = start(cluster, null);
      nodes.add(first);
      int seedPort = first.system().address().getPort().get();
      nodes.add(start(cluster, seedPort));
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(upMembers(first)).isEqualTo(2));
      assertThat(handshakeFailures(log)).as("no handshake failed between the cluster's nodes").isEmpty();

      VideoShopNode intruder = start(stranger, seedPort);
      nodes.add(intruder);
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(handshakeFailures(log))
          .as("the stranger's handshake fails").isNotEmpty());
      assertThat(upMembers(first)).as("the stranger never joins").isEqualTo(2);
      assertThat(Cluster.get(intruder.system()).selfMember().status()).isNotEqualTo(MemberStatus.up());
    } finally {
      // The stranger first, then the members newest first, each within the 90 s a stop is promised
      // (the pods' grace period). Oldest first, each within 60 s, timed out once on a loaded CI
      // machine (which stop was not recorded); all at once, both members wait out cluster-exiting.
      for (int i = nodes.size() - 1; i >= 0; i--) nodes.get(i).stop().toCompletableFuture().get(90, TimeUnit.SECONDS);
    }
  }

  @Test
  void aTlsNodeWithoutItsFilesRefusesToStartAndSaysWhichAreMissing() throws IOException {
    Path empty = Files.createDirectories(directory.resolve("empty"));
    Files.writeString(empty.resolve("ca.crt"), "not a certificate");
    assertThatThrownBy(() -> TestNodes.start(TestDatabase.h2InMemory(), tls(empty)))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("tls.key, tls.crt")
        .hasMessageContaining(empty.toString());
  }

  private static VideoShopNode start(Path certificates, Integer seedPort) {
    return TestNodes.start(TestDatabase.h2InMemory(), tls(certificates),
        seedPort == null ? "" : "videoshop.cluster.seed-nodes = \"127.0.0.1:" + seedPort + "\"");
  }

  private static String tls(Path certificates) {
    return "videoshop.cluster { transport = tls-tcp, tls-directory = \"" + certificates + "\" }";
  }

  private static long upMembers(VideoShopNode node) {
    List<org.apache.pekko.cluster.Member> members = new ArrayList<>();
    Cluster.get(node.system()).state().getMembers().forEach(members::add);
    return members.stream().filter(member -> member.status().equals(MemberStatus.up())).count();
  }

  /** A CA and one node certificate it issued (CN and SAN videoshop), as tls.key, tls.crt and ca.crt. */
  private static Path certificates(Path into) throws Exception {
    Files.createDirectories(into);
    keytool(into, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname",
        "CN=VideoShop test CA " + into.getFileName(), "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
    keytool(into, "-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-file", "ca.crt");
    keytool(into, "-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=videoshop",
        "-validity", "2", "-keystore", "node.p12");
    keytool(into, "-certreq", "-alias", "node", "-keystore", "node.p12", "-file", "node.csr");
    keytool(into, "-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-infile", "node.csr", "-outfile",
        "tls.crt", "-validity", "2", "-ext", "SAN=dns:videoshop", "-ext", "EKU=serverAuth,clientAuth");
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(into.resolve("node.p12").toFile())) {
      store.load(in, PASSWORD.toCharArray());
    }
    Key key = store.getKey("node", PASSWORD.toCharArray());
    Files.writeString(into.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    return into;
  }

  private static void keytool(Path directory, String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
    command.addAll(List.of(arguments));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD, "-noprompt"));
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("keytool %s: %s", arguments[0], output).isZero();
  }

  /** Log lines that tell of a failed TLS handshake or an untrusted certificate. */
  private static List<String> handshakeFailures(LogEvents log) {
    return log.events().stream().map(LogEvents::text).filter(text -> {
      String lower = text.toLowerCase(Locale.ROOT);
      return lower.contains("sslhandshake") || lower.contains("certificate_unknown") || lower.contains("unknown_ca")
          || lower.contains("pkix path") || lower.contains("bad_certificate");
    }).toList();
  }
}
