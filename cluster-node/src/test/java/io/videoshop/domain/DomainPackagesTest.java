package io.videoshop.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md, read from the sources' import lines (pure: no node):
 * domain packages throw {@link DomainError} rather than HTTP types, {@code http} depends on no
 * domain package, and {@code http}, {@code access}, {@code audit}, {@code queue} and {@code room}
 * import one another without a cycle.
 */
class DomainPackagesTest {
  private static final Path SOURCES = Path.of(System.getProperty("videoshop.repository", "..")).normalize()
      .resolve("cluster-node/src/main/java/io/videoshop");
  private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.videoshop\\.([a-z]+)\\.([A-Za-z]+)",
      Pattern.MULTILINE);

  /** Plumbing, wiring and the shared vocabulary; every other package under io.videoshop is a domain package. */
  private static final Set<String> NOT_DOMAIN = Set.of("http", "node", "web", "domain", "metrics", "projection");

  /** Plumbing that still lives in {@code http} and that any package may use. */
  private static final Set<String> HTTP_PLUMBING = Set.of("Json", "Blocking", "Traced");

  /** The socket plumbing a socket session ({@code *Session.java}, the actor behind one socket) uses besides. */
  private static final Set<String> SESSION_PLUMBING = Set.of("Sockets", "ClientFrames", "RateLimit");

  /** Files not converted yet, each with the {@code http} types it still imports and what keeps them; the list only shrinks. */
  private static final Map<String, Set<String>> NOT_YET = Map.of(
      // closes a user's sockets through http.LiveSockets
      "access/UserSessions.java", Set.of("LiveSockets"),
      // the router's Authenticator (http.ApiRouter): an HTTP adapter in all but name
      "access/Authentication.java", Set.of("ApiRouter"),
      // counts joins and sockets with http's cluster counters
      "queue/WidgetLimits.java", Set.of("ClusterCounts", "ClusterCountsGossip", "ClusterRateLimits", "ClusterTakes"),
      // builds the HTTP answer an idempotent top-up replays (http.ApiResponse)
      "wallet/TopUps.java", Set.of("ApiResponse"),
      // counts with http.ClusterRateLimits
      "scheduling/PublicBookingLimits.java", Set.of("ClusterRateLimits", "ClusterTakes"));

  @Test
  void domainPackagesDoNotImportHttpOutsideTheirRoutesAndSockets() throws IOException {
    List<String> offending = new ArrayList<>();
    for (Source source : sources()) {
      if (NOT_DOMAIN.contains(source.pkg()) || isAdapter(source.file())) continue;
      for (Import imported : source.imports()) {
        if (imported.pkg().equals("http") && !allowed(source).contains(imported.type())) {
          offending.add(source.pkg() + "/" + source.file() + " imports http." + imported.type());
        }
      }
    }
    assertThat(offending).as("throw DomainError (mapped by http.ApiError.of) instead").isEmpty();
  }

  @Test
  void theAllowListNamesOnlyWhatFilesStillImport() throws IOException {
    Map<String, Set<String>> httpImports = new TreeMap<>();
    for (Source source : sources()) {
      for (Import imported : source.imports()) {
        if (imported.pkg().equals("http")) {
          httpImports.computeIfAbsent(source.pkg() + "/" + source.file(), k -> new TreeSet<>()).add(imported.type());
        }
      }
    }
    NOT_YET.forEach((file, types) -> {
      assertThat(httpImports.getOrDefault(file, Set.of()))
          .as("%s converted (in part): take it off NOT_YET", file).containsAll(types);
      assertThat(types).as("%s: plumbing needs no entry", file).doesNotContainAnyElementsOf(HTTP_PLUMBING);
    });
  }

  private static Set<String> allowed(Source source) {
    Set<String> allowed = new TreeSet<>(HTTP_PLUMBING);
    if (source.file().endsWith("Session.java")) allowed.addAll(SESSION_PLUMBING);
    allowed.addAll(NOT_YET.getOrDefault(source.pkg() + "/" + source.file(), Set.of()));
    return allowed;
  }

  @Test
  void httpAndTheSharedPackageDependOnNoDomainPackage() throws IOException {
    Set<String> allowed = Set.of("http", "domain", "config", "metrics", "protocol", "persistence");
    for (Source source : sources()) {
      if (!source.pkg().equals("http") && !source.pkg().equals("domain")) continue;
      for (Import imported : source.imports()) {
        assertThat(allowed).as("%s/%s imports %s", source.pkg(), source.file(), imported).contains(imported.pkg());
      }
      if (source.pkg().equals("domain")) {
        assertThat(source.imports()).as("domain/%s", source.file()).noneMatch(i -> i.pkg().equals("http"));
      }
    }
  }

  @Test
  void noCycleBetweenHttpAccessAuditQueueAndRoom() throws IOException {
    Set<String> watched = Set.of("http", "access", "audit", "queue", "room");
    Map<String, Set<String>> edges = new TreeMap<>();
    for (Source source : sources()) {
      if (!watched.contains(source.pkg())) continue;
      for (Import imported : source.imports()) {
        if (watched.contains(imported.pkg()) && !imported.pkg().equals(source.pkg())) {
          edges.computeIfAbsent(source.pkg(), k -> new TreeSet<>()).add(imported.pkg());
        }
      }
    }
    for (String start : watched) {
      assertThat(reachable(edges, start)).as("a cycle through %s in %s", start, edges).doesNotContain(start);
    }
  }

  private static Set<String> reachable(Map<String, Set<String>> edges, String start) {
    Set<String> seen = new TreeSet<>();
    List<String> next = new ArrayList<>(edges.getOrDefault(start, Set.of()));
    while (!next.isEmpty()) {
      String pkg = next.remove(next.size() - 1);
      if (seen.add(pkg)) next.addAll(edges.getOrDefault(pkg, Set.of()));
    }
    return seen;
  }

  private static boolean isAdapter(String file) {
    return file.endsWith("Routes.java") || file.endsWith("Sockets.java");
  }

  record Import(String pkg, String type) {
    @Override
    public String toString() {
      return pkg + "." + type;
    }
  }

  record Source(String pkg, String file, List<Import> imports) {}

  private static List<Source> sources() throws IOException {
    List<Source> sources = new ArrayList<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path path : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        Path relative = SOURCES.relativize(path);
        if (relative.getNameCount() != 2) continue;
        List<Import> imports = new ArrayList<>();
        Matcher matcher = IMPORT.matcher(Files.readString(path));
        while (matcher.find()) imports.add(new Import(matcher.group(1), matcher.group(2)));
        sources.add(new Source(relative.getName(0).toString(), relative.getName(1).toString(), imports));
      }
    }
    assertThat(sources).as("the scan finds the sources under %s", SOURCES).hasSizeGreaterThan(100);
    return sources;
  }
}
