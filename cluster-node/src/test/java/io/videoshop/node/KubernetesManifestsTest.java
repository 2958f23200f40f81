package io.videoshop.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.videoshop.config.ClusterSettings;
import io.videoshop.config.DatabaseSettings;
import io.videoshop.config.VideoShopSettings;
import io.videoshop.persistence.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Loads every manifest in {@code k8s/} (and the Dockerfile) and checks that they are wired to each
 * other and to the node as it really is: its configuration (reference.conf, application.conf), the
 * paths its management server serves, and the time its coordinated shutdown may take. One node
 * runs on H2 for the facts only a running node knows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesManifestsTest {
  private static final Path REPOSITORY = Path.of(System.getProperty("videoshop.repository", "..")).normalize();
  private static final Pattern SELECTOR_TERM = Pattern.compile("([^!=\\s]+)\\s*(!=|==|=)\\s*(\\S*)");
  private static final Pattern ENV_SUBSTITUTION = Pattern.compile("\\$\\{\\?([A-Za-z0-9_]+)}");
  /** Stands in for status.podIP when the Deployment's environment is evaluated. */
  private static final String POD_IP = "10.244.1.7";
  private static final Set<String> EXPECTED_KINDS = Set.of("Namespace", "ServiceAccount", "Role", "RoleBinding",
      "ConfigMap", "Deployment", "Service", "PodDisruptionBudget", "Ingress", "NetworkPolicy");

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Map<Path, List<HasMetadata>> manifests = new LinkedHashMap<>();
  private VideoShopNode node;

  @BeforeAll
  void loadManifestsAndStartANode() throws IOException {
    KubernetesSerialization serialization = new KubernetesSerialization();
    List<Path> files;
    try (Stream<Path> listing = Files.list(REPOSITORY.resolve("k8s"))) {
      files = listing.filter(file -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml"))
          .sorted().toList();
    }
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        manifests.put(file.getFileName(), documents(serialization.unmarshal(in)));
      }
    }
    node = TestNodes.start(TestDatabase.h2InMemory());
    // A sharded entity type, so that sharding's shutdown phase counts as it will with real entities.
    ProbeCounter.init(node.system());
  }

  @AfterAll
  void stopTheNode() throws Exception {
    if (node != null) node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void everyManifestIsAKnownKindWithNoUnknownFieldInTheNamespaceItDeclares() {
    assertThat(manifests).as("k8s/*.yaml").isNotEmpty();
    List<HasMetadata> all = all();
    assertThat(all).allSatisfy(resource -> assertThat(resource)
        .as("%s: a kind the model knows, with its apiVersion", describe(resource))
        .isNotInstanceOf(GenericKubernetesResource.class));
    assertThat(all.stream().map(HasMetadata::getKind).collect(Collectors.toSet())).isEqualTo(EXPECTED_KINDS);

    // A misspelt field (terminationGracePeriodSecond) parses fine and is silently ignored by the API
    // server's lenient clients: the model keeps it aside, here it fails the test.
    for (HasMetadata resource : all) {
      List<String> unknown = new ArrayList<>();
      collectUnknownFields(resource, resource.getKind(), unknown, new IdentityHashMap<>());
      assertThat(unknown).as("unknown fields in %s", describe(resource)).isEmpty();
    }

    String namespace = only(Namespace.class).getMetadata().getName();
    assertThat(all.stream().filter(resource -> !(resource instanceof Namespace)))
        .allSatisfy(resource -> assertThat(resource.getMetadata().getNamespace())
            .as("namespace of %s", describe(resource)).isEqualTo(namespace));
    assertThat(all.stream().map(this::describe)).as("no resource twice").doesNotHaveDuplicates();
  }

  @Test
  void serviceDisruptionBudgetAndSpreadSelectExactlyTheDeploymentsPods() {
    Deployment deployment = only(Deployment.class);
    Map<String, String> podLabels = podLabels();
    assertThat(selects(deployment.getSpec().getSelector(), podLabels))
        .as("the Deployment's selector matches its own pod template").isTrue();

    Map<String, String> serviceSelector = only(Service.class).getSpec().getSelector();
    assertThat(serviceSelector).as("Service selector").isNotEmpty();
    assertThat(podLabels).as("pod labels carry the Service selector").containsAllEntriesOf(serviceSelector);

    LabelSelector budget = only(PodDisruptionBudget.class).getSpec().getSelector();
    assertThat(selects(budget, podLabels)).as("PodDisruptionBudget selects the pods").isTrue();

    List<TopologySpreadConstraint> spread = podSpec().getTopologySpreadConstraints();
    assertThat(spread).isNotEmpty().allSatisfy(constraint -> assertThat(selects(constraint.getLabelSelector(), podLabels))
        .as("topology spread counts these pods").isTrue());

    // Selecting the pods is not enough: a selector that also matches other apps' pods would let
    // them count for the budget. Each of these must use the app label.
    assertThat(serviceSelector).containsKey("app");
    assertThat(budget.getMatchLabels()).containsKey("app");
  }

  @Test
  void containerPortsAreTheNodesConfiguredPortsAndTheServiceAndIngressReachHttp() {
    VideoShopSettings defaults = VideoShopSettings.from(nodeConfig(Map.of()));
    VideoShopSettings deployed = VideoShopSettings.from(nodeConfig(deploymentEnvironment()));
    assertThat(deployed.privacy().masterKey()).as("the Deployment reads VIDEOSHOP_MASTER_KEY from its Secret")
        .isPresent();
    assertThat(io.videoshop.persistence.privacy.MasterKeys.from(deployed).isDevelopment()).isFalse();
    for (VideoShopSettings settings : List.of(defaults, deployed)) {
      assertThat(containerPort("http")).isEqualTo(settings.http().port());
      assertThat(containerPort("remoting")).isEqualTo(settings.cluster().port());
      assertThat(containerPort("management")).isEqualTo(settings.management().port());
    }
    Map<String, String> annotations = only(Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(annotations.get("prometheus.io/port")).as("Prometheus scrapes the management port")
        .isEqualTo(Integer.toString(deployed.management().port()));
    assertThat(annotations.get("prometheus.io/path")).as("where MetricsManagementRoutes serves metrics")
        .isEqualTo("/metrics");
    assertThat(container().getPorts()).extracting(ContainerPort::getName)
        .as("bootstrap finds contact points by the port name in management.conf")
        .contains(nodeConfig(Map.of()).getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name"));

    Service service = only(Service.class);
    assertThat(service.getSpec().getPorts()).isNotEmpty().allSatisfy(port -> assertThat(resolve(port.getTargetPort()))
        .as("Service port %s targets the node's HTTP port", port.getName()).isEqualTo(deployed.http().port()));

    Ingress ingress = only(Ingress.class);
    List<HTTPIngressPath> paths = ingress.getSpec().getRules().stream()
        .flatMap(rule -> rule.getHttp().getPaths().stream()).toList();
    assertThat(paths).isNotEmpty().allSatisfy(path -> {
      assertThat(path.getBackend().getService().getName()).isEqualTo(service.getMetadata().getName());
      ServiceBackendPort port = path.getBackend().getService().getPort();
      assertThat(service.getSpec().getPorts()).as("Ingress backend port %s on the Service", port)
          .anyMatch(servicePort -> port.getName() != null ? port.getName().equals(servicePort.getName())
              : port.getNumber().equals(servicePort.getPort()));
    });
  }

  @Test
  void probesAskTheManagementServerForPathsItReallyServes() throws Exception {
    Config config = nodeConfig(Map.of());
    String ready = "/" + config.getString("pekko.management.health-checks.readiness-path");
    String alive = "/" + config.getString("pekko.management.health-checks.liveness-path");
    Container container = container();
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo(ready);
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo(alive);
    assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo(alive);

    long checkTimeout = config.getDuration("pekko.management.health-checks.check-timeout").toMillis();
    int managementPort = containerPort("management");
    await().atMost(Duration.ofSeconds(30)).until(() -> get(node.managementPort(), ready).statusCode() == 200);
    for (Probe probe : List.of(container.getStartupProbe(), container.getReadinessProbe(), container.getLivenessProbe())) {
      HTTPGetAction action = probe.getHttpGet();
      assertThat(resolve(action.getPort())).as("probe %s on the management port", action.getPath())
          .isEqualTo(managementPort);
      assertThat(probe.getTimeoutSeconds() * 1000L)
          .as("probe %s waits longer than management's check-timeout", action.getPath()).isGreaterThan(checkTimeout);
      assertThat(get(node.managementPort(), action.getPath()).statusCode())
          .as("a running node's management server answers %s", action.getPath()).isEqualTo(200);
    }
    assertThat(get(node.managementPort(), "/no-such-probe").statusCode()).as("not any path answers 200").isEqualTo(404);
  }

  @Test
  void bootstrapFindsExactlyThesePodsAndCanFormTheCluster() {
    Map<String, String> environment = deploymentEnvironment();
    VideoShopSettings settings = VideoShopSettings.from(nodeConfig(environment));
    ClusterSettings cluster = settings.cluster();
    assertThat(cluster.discovery()).isEqualTo(ClusterSettings.Discovery.KUBERNETES_API);
    assertThat(selects(cluster.bootstrap().effectiveLabelSelector(), podLabels()))
        .as("bootstrap's label selector %s matches the pod labels", cluster.bootstrap().effectiveLabelSelector())
        .isTrue();
    assertThat(cluster.bootstrap().requiredContactPointNr()).as("contact points the Deployment can provide")
        .isBetween(1, only(Deployment.class).getSpec().getReplicas());
    assertThat(cluster.host()).as("remoting address: the pod IP").isEqualTo(POD_IP);
    assertThat(settings.management().host()).as("bootstrap contact point: the pod IP").isEqualTo(POD_IP);

    // Bootstrap reads its namespace and token from the service account mount.
    PodSpec pod = podSpec();
    assertThat(pod.getAutomountServiceAccountToken()).isNotEqualTo(Boolean.FALSE);
    assertThat(only(ServiceAccount.class).getAutomountServiceAccountToken()).isNotEqualTo(Boolean.FALSE);
  }

  @Test
  void roleLetsTheDeploymentsServiceAccountGetListAndWatchPods() {
    ServiceAccount account = only(ServiceAccount.class);
    assertThat(podSpec().getServiceAccountName()).isEqualTo(account.getMetadata().getName());

    Role role = only(Role.class);
    assertThat(role.getRules()).as("a rule on core pods granting what bootstrap's pod queries need")
        .anySatisfy(rule -> {
          assertThat(rule.getApiGroups()).contains("");
          assertThat(rule.getResources()).contains("pods");
          assertThat(rule.getVerbs()).contains("get", "list", "watch");
        });
    assertThat(role.getRules()).as("nothing beyond reading").allSatisfy(rule ->
        assertThat(rule.getVerbs()).isSubsetOf("get", "list", "watch"));

    RoleBinding binding = only(RoleBinding.class);
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
    assertThat(binding.getRoleRef().getApiGroup()).isEqualTo("rbac.authorization.k8s.io");
    assertThat(binding.getSubjects()).extracting(Subject::getKind, Subject::getName, Subject::getNamespace)
        .contains(org.assertj.core.groups.Tuple.tuple(
            "ServiceAccount", account.getMetadata().getName(), only(Deployment.class).getMetadata().getNamespace()));
  }

  @Test
  void deploymentSetsOnlyVariablesTheNodeReadsFromKeysThatExist() throws IOException {
    String reference = Files.readString(REPOSITORY.resolve("config/src/main/resources/reference.conf"));
    Set<String> readByTheNode = new TreeSet<>();
    Matcher matcher = ENV_SUBSTITUTION.matcher(reference);
    while (matcher.find()) readByTheNode.add(matcher.group(1));
    assertThat(readByTheNode).as("reference.conf's ${?VARIABLES}").contains("VIDEOSHOP_HTTP_PORT");

    Container container = container();
    assertThat(container.getEnvFrom()).as("every variable named, none imported wholesale").isNullOrEmpty();
    List<String> names = container.getEnv().stream().map(EnvVar::getName).toList();
    assertThat(names).doesNotHaveDuplicates();
    assertThat(names).as("variables the node reads (config/src/main/resources/reference.conf)")
        .isSubsetOf(readByTheNode);

    // deploymentEnvironment() fails on a reference to a missing ConfigMap, Secret or key.
    Map<String, String> environment = deploymentEnvironment();
    VideoShopSettings settings = VideoShopSettings.from(nodeConfig(environment));
    assertThat(settings.database().kind()).isEqualTo(DatabaseSettings.Kind.POSTGRES);
    assertThat(settings.database().user()).isEqualTo(secretValue("videoshop-database", "username"));
    assertThat(settings.database().url()).contains("reWriteBatchedInserts=true");

    // Behind the ingress the client's address comes from the ingress pods' X-Forwarded-For: trusted
    // from the pod network only, so failed logins and the per-address caps are a client's, not everyone's.
    var proxies = settings.http().trustedProxies();
    assertThat(proxies.contains(java.net.InetAddress.getByName("10.244.1.7"))).as("an ingress pod").isTrue();
    for (String internet : List.of("203.0.113.9", "8.8.8.8", "2001:db8::1")) {
      assertThat(proxies.contains(java.net.InetAddress.getByName(internet))).as("%s is not a proxy", internet).isFalse();
    }
    assertThat(proxies.client(java.net.InetAddress.getByName("10.244.1.7"), List.of("198.51.100.23")).getHostAddress())
        .isEqualTo("198.51.100.23");

    // Artery over mutual TLS, from a Secret mounted where the node reads its files.
    assertThat(settings.cluster().transport()).isEqualTo(ClusterSettings.Transport.TLS_TCP);
    VolumeMount mount = container().getVolumeMounts().stream()
        .filter(m -> Path.of(m.getMountPath()).equals(settings.cluster().tlsDirectory())).findFirst()
        .orElseThrow(() -> new AssertionError("nothing mounted at " + settings.cluster().tlsDirectory()));
    assertThat(mount.getReadOnly()).isTrue();
    Volume volume = podSpec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst()
        .orElseThrow();
    assertThat(volume.getSecret()).as("the certificates come from a Secret").isNotNull();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("videoshop-cluster-tls");
    assertThat(volume.getSecret().getItems()).as("all of its keys: %s", ClusterSettings.TLS_FILES).isNullOrEmpty();
  }

  @Test
  void gracePeriodOutlastsPreStopAndTheWholeCoordinatedShutdown() {
    PodSpec pod = podSpec();
    List<String> preStop = container().getLifecycle().getPreStop().getExec().getCommand();
    assertThat(preStop).hasSize(2).first().isEqualTo("sleep");
    long preStopSeconds = Long.parseLong(preStop.get(1));
    assertThat(preStopSeconds).as("time for endpoints to drop the pod").isBetween(1L, 30L);

    // The sum of the timeouts of every phase that has a task on a running node (cluster.conf).
    Duration shutdown = Duration.ofMillis(CoordinatedShutdown.get(node.system()).totalTimeout().toMillis());
    assertThat(Duration.ofSeconds(pod.getTerminationGracePeriodSeconds()))
        .as("terminationGracePeriodSeconds > preStop %ss + coordinated shutdown %s", preStopSeconds, shutdown)
        .isGreaterThan(shutdown.plusSeconds(preStopSeconds));
  }

  @Test
  void ingressKeepsQuietWebSocketsOpenAndIsNotSticky() {
    Config config = nodeConfig(Map.of());
    Map<String, String> annotations = only(Ingress.class).getMetadata().getAnnotations();
    long keepAlive = config.getDuration("pekko.http.server.websocket.periodic-keep-alive-max-idle").toSeconds();
    for (String timeout : List.of("proxy-read-timeout", "proxy-send-timeout")) {
      String value = annotations.get("nginx.ingress.kubernetes.io/" + timeout);
      assertThat(value).as(timeout).isNotNull();
      assertThat(Long.parseLong(value)).as("%s outlasts the node's WebSocket ping interval", timeout)
          .isGreaterThan(keepAlive);
    }
    assertThat(parseBytes(annotations.get("nginx.ingress.kubernetes.io/proxy-body-size")))
        .as("nginx lets the node answer oversized bodies itself")
        .isGreaterThan(config.getBytes("videoshop.http.max-request-body"));
    assertThat(annotations.keySet()).as("no sticky sessions")
        .noneMatch(key -> key.startsWith("nginx.ingress.kubernetes.io/affinity")
            || key.startsWith("nginx.ingress.kubernetes.io/session-cookie"));
    assertThat(only(Service.class).getSpec().getSessionAffinity()).isIn(null, "None");
  }

  @Test
  void onlyVideoShopPodsReachRemotingAndManagementAndMetricsAreNotOnThePublicPort() throws Exception {
    NetworkPolicy policy = only(NetworkPolicy.class);
    Map<String, String> podLabels = podLabels();
    assertThat(selects(policy.getSpec().getPodSelector(), podLabels)).as("the policy selects the pods").isTrue();
    assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
    Set<String> internal = Set.of("remoting", "management");
    for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
      Set<String> ports = rule.getPorts().stream().map(port -> port.getPort().getStrVal()).collect(Collectors.toSet());
      assertThat(ports).as("ports are named like the container's").allSatisfy(port -> assertThat(containerPort(port))
          .isPositive());
      if (ports.contains("remoting")) {
        assertThat(rule.getFrom()).as("remoting only from VideoShop pods").isNotEmpty().allSatisfy(peer -> {
          assertThat(peer.getNamespaceSelector()).isNull();
          assertThat(peer.getIpBlock()).isNull();
          assertThat(selects(peer.getPodSelector(), podLabels)).isTrue();
        });
      }
      if (ports.stream().anyMatch(internal::contains)) {
        assertThat(rule.getFrom()).as("management and remoting never open to everyone").isNotEmpty()
            .allSatisfy(peer -> assertThat(peer.getIpBlock()).isNull());
      }
    }
    assertThat(policy.getSpec().getIngress()).as("the HTTP port is reachable")
        .anySatisfy(rule -> assertThat(rule.getPorts()).anySatisfy(port -> assertThat(port.getPort().getStrVal())
            .isEqualTo("http")));

    // The Service (and so the Ingress) reaches the HTTP port only; /metrics is not served there.
    assertThat(get(node.httpPort(), "/metrics").statusCode()).isEqualTo(404);
    HttpResponse<String> metrics = get(node.managementPort(), "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("pekko_cluster_self_up");
  }

  /** Alert rules and the Grafana dashboard in k8s/monitoring name only metrics the node exports. */
  @Test
  void alertRulesAndDashboardWatchMetricsTheNodeExports() throws Exception {
    Set<String> exported = new TreeSet<>();
    Matcher type = Pattern.compile("(?m)^# TYPE (\\S+) ").matcher(get(node.managementPort(), "/metrics").body());
    while (type.find()) exported.add(type.group(1));
    // Meters registered on first use (a socket kind, an outbox delivery) are named in the code.
    try (Stream<Path> sources = Files.walk(REPOSITORY.resolve("cluster-node/src/main/java"))) {
      Pattern builder = Pattern.compile("(?:builder|gauge)\\(\"([a-z_]+)\"");
      for (Path source : sources.filter(file -> file.toString().endsWith(".java")).toList()) {
        Matcher named = builder.matcher(Files.readString(source));
        while (named.find()) {
          exported.add(named.group(1));
          exported.add(named.group(1) + "_seconds");
        }
      }
    }
    Path monitoring = REPOSITORY.resolve("k8s/monitoring");
    GenericKubernetesResource rules;
    try (InputStream in = Files.newInputStream(monitoring.resolve("alert-rules.yaml"))) {
      rules = new KubernetesSerialization().unmarshal(in, GenericKubernetesResource.class);
    }
    assertThat(rules.getKind()).isEqualTo("PrometheusRule");
    assertThat(rules.getMetadata().getNamespace()).isEqualTo(only(Namespace.class).getMetadata().getName());
    List<String> expressions = new ArrayList<>();
    Set<String> alerts = new TreeSet<>();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> groups = (List<Map<String, Object>>) ((Map<String, Object>) rules
        .getAdditionalProperties().get("spec")).get("groups");
    for (Map<String, Object> group : groups) {
      for (Object rule : (List<?>) group.get("rules")) {
        Map<?, ?> fields = (Map<?, ?>) rule;
        alerts.add((String) fields.get("alert"));
        expressions.add((String) fields.get("expr"));
        assertThat(((Map<?, ?>) fields.get("labels")).get("severity")).as("severity of %s", fields.get("alert"))
            .isIn("warning", "critical");
      }
    }
    assertThat(alerts).as("what the operators watch").contains("VideoShopNodeNotUp", "VideoShopMembersUnreachable",
        "VideoShopJournalWritesSlow", "VideoShopProjectionLagging", "VideoShopSocketsDropped", "VideoShopLoginFailures",
        "VideoShopServerErrors");
    com.fasterxml.jackson.databind.JsonNode dashboard = io.videoshop.http.Json.MAPPER.readTree(
        Files.readString(monitoring.resolve("grafana-dashboard.json")));
    assertThat(dashboard.get("panels").size()).isGreaterThan(8);
    for (com.fasterxml.jackson.databind.JsonNode panel : dashboard.get("panels")) {
      for (com.fasterxml.jackson.databind.JsonNode target : panel.get("targets")) expressions.add(target.get("expr").asText());
    }
    Pattern metric = Pattern.compile("\\b((?:videoshop|pekko|http_server|hikaricp|jvm)_[a-z0-9_]+)");
    for (String expression : expressions) {
      Matcher names = metric.matcher(expression);
      assertThat(names.find()).as("a metric in %s", expression).isTrue();
      do {
        String name = names.group(1).replaceAll("_(bucket|count|sum|max)$", "");
        assertThat(exported).as("metric %s in %s", names.group(1), expression).contains(name);
      } while (names.find());
    }
  }

  @Test
  void voluntaryDisruptionsAndRollingUpgradesKeepAMajority() {
    int replicas = only(Deployment.class).getSpec().getReplicas();
    assertThat(replicas).as("an odd number, at least three, for keep-majority").isGreaterThanOrEqualTo(3).isOdd();
    PodDisruptionBudget budget = only(PodDisruptionBudget.class);
    int mayBeDown = budget.getSpec().getMaxUnavailable() != null
        ? budget.getSpec().getMaxUnavailable().getIntVal()
        : replicas - budget.getSpec().getMinAvailable().getIntVal();
    assertThat(mayBeDown).as("the budget allows draining at all").isPositive();
    assertThat(replicas - mayBeDown).as("nodes left during a disruption are a majority").isGreaterThan(replicas / 2);
    IntOrString rollingUnavailable = only(Deployment.class).getSpec().getStrategy().getRollingUpdate().getMaxUnavailable();
    assertThat(rollingUnavailable.getIntVal()).as("a rolling upgrade adds a node before removing one").isZero();
  }

  @Test
  void imageRunsTheBuiltNodeAsANonRootUserTheKubeletCanVerify() throws IOException {
    Map<String, List<String>> dockerfile = dockerfileInstructions();
    assertThat(dockerfile.get("FROM")).singleElement().asString().contains(":17").contains("jre");

    String user = dockerfile.get("USER").get(dockerfile.get("USER").size() - 1).split(":")[0];
    assertThat(user).as("numeric, so runAsNonRoot can be verified").matches("\\d+");
    assertThat(Integer.parseInt(user)).as("not root").isPositive();
    PodSpec pod = podSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(container().getSecurityContext().getAllowPrivilegeEscalation()).isFalse();

    // The jar and its lib/ folder, side by side as the jar's manifest Class-Path expects.
    String pom = Files.readString(REPOSITORY.resolve("cluster-node/pom.xml"));
    String jar = between(pom, "<finalName>", "</finalName>") + ".jar";
    String classpathPrefix = between(pom, "<classpathPrefix>", "</classpathPrefix>");
    List<String> copies = dockerfile.get("COPY");
    assertThat(copies).contains("cluster-node/target/" + jar + " " + jar)
        .contains("cluster-node/target/lib/ " + classpathPrefix);
    assertThat(dockerfile.get("ENTRYPOINT")).singleElement().asString().contains("\"-jar\", \"" + jar + "\"");

    Set<Integer> exposed = dockerfile.get("EXPOSE").stream().flatMap(line -> Stream.of(line.split("\\s+")))
        .map(Integer::parseInt).collect(Collectors.toSet());
    assertThat(exposed).isEqualTo(container().getPorts().stream().map(ContainerPort::getContainerPort)
        .collect(Collectors.toSet()));

    // The build context keeps only what the image copies: each source must be let through.
    List<String> ignore = Files.readAllLines(REPOSITORY.resolve(".dockerignore"));
    for (String copy : copies) {
      String source = copy.split("\\s+")[0];
      assertThat(ignore).as(".dockerignore lets %s through", source).contains("!" + source);
    }
  }

  // ---- the manifests ----

  private static List<HasMetadata> documents(Object parsed) {
    if (parsed instanceof KubernetesList list) return list.getItems();
    if (parsed instanceof HasMetadata single) return List.of(single);
    if (parsed instanceof List<?> several) {
      List<HasMetadata> resources = new ArrayList<>();
      for (Object document : several) resources.addAll(documents(document));
      return resources;
    }
    throw new AssertionError("not a Kubernetes resource: " + parsed);
  }

  private List<HasMetadata> all() {
    return manifests.values().stream().flatMap(List::stream).toList();
  }

  private <T extends HasMetadata> T only(Class<T> type) {
    List<T> found = all().stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(found).as("exactly one %s in k8s/", type.getSimpleName()).hasSize(1);
    return found.get(0);
  }

  private String describe(HasMetadata resource) {
    return resource.getKind() + " " + resource.getMetadata().getName();
  }

  private PodSpec podSpec() {
    return only(Deployment.class).getSpec().getTemplate().getSpec();
  }

  private Map<String, String> podLabels() {
    return only(Deployment.class).getSpec().getTemplate().getMetadata().getLabels();
  }

  private Container container() {
    List<Container> containers = podSpec().getContainers();
    assertThat(containers).as("one container, the node").hasSize(1);
    return containers.get(0);
  }

  private int containerPort(String name) {
    return container().getPorts().stream().filter(port -> name.equals(port.getName()))
        .map(ContainerPort::getContainerPort).findFirst()
        .orElseThrow(() -> new AssertionError("no container port named " + name));
  }

  /** A port given by number or by the name of one of the node's container ports. */
  private int resolve(IntOrString port) {
    return port.getIntVal() != null ? port.getIntVal() : containerPort(port.getStrVal());
  }

  /**
   * A key of a Secret the operator creates with k8s/README.md's {@code kubectl create secret}
   * commands (no manifest carries one); each {@code $(openssl rand -base64 N)} becomes N random bytes.
   */
  private String secretValue(String secret, String key) {
    Map<String, String> keys = documentedSecrets().get(secret);
    if (keys == null) throw new AssertionError("no Secret " + secret + " documented in k8s/README.md");
    if (!keys.containsKey(key)) throw new AssertionError("Secret " + secret + " has no key " + key + " in k8s/README.md");
    return keys.get(key);
  }

  private final Map<String, Map<String, String>> documentedSecrets = new HashMap<>();

  private Map<String, Map<String, String>> documentedSecrets() {
    if (!documentedSecrets.isEmpty()) return documentedSecrets;
    String readme;
    try {
      readme = Files.readString(REPOSITORY.resolve("k8s/README.md")).replace("\\\n", " ");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Matcher command = Pattern.compile("kubectl -n videoshop create secret generic (\\S+)([^\\n]*)").matcher(readme);
    // A generated value may carry a prefix, as the master key's id does: "k1:$(openssl rand -base64 32)".
    Pattern literal = Pattern.compile(
        "--from-literal=([A-Za-z0-9-]+)=(\"([A-Za-z0-9_-]+:)?\\$\\(openssl rand -base64 (\\d+)\\)\"|\\S+)");
    java.security.SecureRandom random = new java.security.SecureRandom();
    while (command.find()) {
      Map<String, String> keys = documentedSecrets.computeIfAbsent(command.group(1), name -> new HashMap<>());
      Matcher value = literal.matcher(command.group(2));
      while (value.find()) {
        if (value.group(4) != null) {
          byte[] bytes = new byte[Integer.parseInt(value.group(4))];
          random.nextBytes(bytes);
          String prefix = value.group(3) == null ? "" : value.group(3);
          keys.put(value.group(1), prefix + Base64.getEncoder().encodeToString(bytes));
        } else {
          keys.put(value.group(1), value.group(2));
        }
      }
    }
    return documentedSecrets;
  }

  @Test
  void noManifestCarriesASecretValue() {
    assertThat(all()).noneMatch(Secret.class::isInstance);
    for (EnvVar variable : container().getEnv()) {
      if (variable.getName().matches(".*(SECRET|PASSWORD|KEY).*")) {
        assertThat(variable.getValue()).as(variable.getName() + " comes from a Secret").isNull();
        assertThat(variable.getValueFrom().getSecretKeyRef()).as(variable.getName()).isNotNull();
      }
    }
    assertThat(documentedSecrets()).containsOnlyKeys("videoshop-database", "videoshop-auth", "videoshop-cluster-tls",
        "videoshop-privacy");
  }

  private String configMapValue(String configMap, String key) {
    ConfigMap found = all().stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
        .filter(candidate -> candidate.getMetadata().getName().equals(configMap)).findFirst()
        .orElseThrow(() -> new AssertionError("no ConfigMap " + configMap + " in k8s/"));
    if (found.getData() == null || !found.getData().containsKey(key)) {
      throw new AssertionError("ConfigMap " + configMap + " has no key " + key);
    }
    return found.getData().get(key);
  }

  /** The node's environment in a pod: literal values, ConfigMap and Secret keys, the pod IP. */
  private Map<String, String> deploymentEnvironment() {
    Map<String, String> environment = new HashMap<>();
    for (EnvVar variable : container().getEnv()) {
      EnvVarSource source = variable.getValueFrom();
      String value;
      if (source == null) {
        value = variable.getValue();
      } else if (source.getConfigMapKeyRef() != null) {
        value = configMapValue(source.getConfigMapKeyRef().getName(), source.getConfigMapKeyRef().getKey());
      } else if (source.getSecretKeyRef() != null) {
        value = secretValue(source.getSecretKeyRef().getName(), source.getSecretKeyRef().getKey());
      } else if (source.getFieldRef() != null && "status.podIP".equals(source.getFieldRef().getFieldPath())) {
        value = POD_IP;
      } else {
        throw new AssertionError("unexpected source for " + variable.getName() + ": " + source);
      }
      environment.put(variable.getName(), value);
    }
    return environment;
  }

  /**
   * The node's configuration (application.conf over reference.conf, as Main loads it) with the
   * given variables as its only environment: HOCON resolves {@code ${?NAME}} from the config's
   * root first, and the test JVM's own environment is left out so that it cannot change the result.
   */
  private static Config nodeConfig(Map<String, String> environment) {
    return ConfigFactory.parseMap(environment)
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.defaultReferenceUnresolved())
        .resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false));
  }

  // ---- label selectors ----

  private static boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) return false;
    boolean any = false;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> label : selector.getMatchLabels().entrySet()) {
        if (!label.getValue().equals(labels.get(label.getKey()))) return false;
        any = true;
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
        String value = labels.get(requirement.getKey());
        boolean matches = switch (requirement.getOperator()) {
          case "In" -> value != null && requirement.getValues().contains(value);
          case "NotIn" -> value == null || !requirement.getValues().contains(value);
          case "Exists" -> value != null;
          case "DoesNotExist" -> value == null;
          default -> throw new AssertionError("unknown operator " + requirement.getOperator());
        };
        if (!matches) return false;
        any = true;
      }
    }
    return any; // an empty selector selects everything: never what these manifests mean
  }

  /** An equality-based label selector string as bootstrap sends it ({@code a=b,c!=d}). */
  private static boolean selects(String selector, Map<String, String> labels) {
    for (String term : selector.split(",")) {
      String trimmed = term.trim();
      Matcher parts = SELECTOR_TERM.matcher(trimmed);
      if (!parts.matches()) fail("unsupported selector term in test: " + trimmed);
      boolean equal = parts.group(3).equals(labels.get(parts.group(1)));
      if (parts.group(2).equals("!=") == equal) return false;
    }
    return true;
  }

  // ---- unknown fields ----

  private static void collectUnknownFields(Object value, String path, List<String> found, Map<Object, Boolean> seen) {
    if (value == null || seen.put(value, Boolean.TRUE) != null) return;
    if (value instanceof Collection<?> items) {
      int index = 0;
      for (Object item : items) collectUnknownFields(item, path + "[" + index++ + "]", found, seen);
      return;
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        collectUnknownFields(entry.getValue(), path + "." + entry.getKey(), found, seen);
      }
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) return;
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
        continue;
      }
      Object property;
      try {
        property = getter.invoke(value);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (property instanceof Map<?, ?> extra && !extra.isEmpty()) found.add(path + ": " + extra.keySet());
      } else {
        collectUnknownFields(property, path + "." + getter.getName().substring(3), found, seen);
      }
    }
  }

  // ---- the Dockerfile ----

  /** Instruction to its arguments, continuation lines joined and comments dropped. */
  private static Map<String, List<String>> dockerfileInstructions() throws IOException {
    String text = Files.readString(REPOSITORY.resolve("Dockerfile"));
    String joined = Stream.of(text.split("\n")).filter(line -> !line.trim().startsWith("#"))
        .collect(Collectors.joining("\n")).replace("\\\n", " ");
    Map<String, List<String>> instructions = new HashMap<>();
    for (String line : joined.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.isEmpty()) continue;
      String[] parts = trimmed.split("\\s+", 2);
      instructions.computeIfAbsent(parts[0].toUpperCase(java.util.Locale.ROOT), key -> new ArrayList<>())
          .add(parts.length > 1 ? parts[1].trim() : "");
    }
    return instructions;
  }

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start);
    assertThat(from).as("%s in cluster-node/pom.xml", start).isNotNegative();
    return text.substring(from + start.length(), text.indexOf(end, from)).trim();
  }

  private static long parseBytes(String nginxSize) {
    assertThat(nginxSize).as("nginx size").isNotNull().matches("\\d+[kKmMgG]?");
    long number = Long.parseLong(nginxSize.replaceAll("[^0-9]", ""));
    return switch (Character.toLowerCase(nginxSize.charAt(nginxSize.length() - 1))) {
      case 'k' -> number * 1024;
      case 'm' -> number * 1024 * 1024;
      case 'g' -> number * 1024 * 1024 * 1024;
      default -> number;
    };
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
