package io.videoshop.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class VideoShopSettingsTest {

  private static VideoShopSettings settingsWith(String hocon) {
    Config config = ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
    return VideoShopSettings.from(config);
  }

  @Test
  void defaultsStartASingleNodeOnEmbeddedH2() {
    VideoShopSettings settings = settingsWith("");
    assertThat(settings.http().port()).isEqualTo(8080);
    assertThat(settings.cluster().askTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(settings.cluster().resumeAskTimeout()).isEqualTo(java.time.Duration.ofMillis(1500));
    assertThat(settings.database().kind()).isEqualTo(DatabaseSettings.Kind.H2);
    assertThat(settings.database().url()).startsWith("jdbc:h2:file:").contains("/data/videoshop")
        .endsWith(";DATABASE_TO_UPPER=false");
    assertThat(settings.database().poolSize()).isEqualTo(10);
    assertThat(settings.database().connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.cluster().formsClusterOfItsOwn()).isTrue();
    assertThat(settings.cluster().discovery()).isEqualTo(ClusterSettings.Discovery.SEED_NODES);
    assertThat(settings.management()).isEqualTo(new ManagementSettings("127.0.0.1", 8558));
    assertThat(settings.log().format()).isEqualTo(LogSettings.Format.TEXT);
    assertThat(settings.profile()).isEqualTo(VideoShopSettings.Profile.PRODUCTION);
  }

  @Test
  void postgresIsChosenByConfigurationAlone() {
    VideoShopSettings settings = settingsWith("""
        videoshop.database { kind = postgres, url = "jdbc:postgresql://db:5432/shop", user = shop, password = secret }
        """);
    assertThat(settings.database().kind()).isEqualTo(DatabaseSettings.Kind.POSTGRES);
    assertThat(settings.database().url()).isEqualTo("jdbc:postgresql://db:5432/shop");
    assertThat(settings.database().toString()).doesNotContain("secret");
  }

  @Test
  void environmentVariablesOverrideTheDefaults() {
    // reference.conf declares `port = ${?VIDEOSHOP_HTTP_PORT}`; HOCON looks such a name up in the
    // config first and in the process environment after, so root keys stand in for the environment.
    Config env = ConfigFactory.parseMap(java.util.Map.of("VIDEOSHOP_HTTP_PORT", "9090", "VIDEOSHOP_DB", "postgres",
        "VIDEOSHOP_DB_URL", "jdbc:postgresql://x/y"));
    Config config = env.withFallback(ConfigFactory.defaultReferenceUnresolved()).resolve();
    VideoShopSettings settings = VideoShopSettings.from(config);
    assertThat(settings.http().port()).isEqualTo(9090);
    assertThat(settings.database().kind()).isEqualTo(DatabaseSettings.Kind.POSTGRES);
  }

  @Test
  void wrongValuesStopTheStartNamingEveryKey() {
    assertThatThrownBy(() -> settingsWith("""
        videoshop.http.port = 70000
        videoshop.database.kind = oracle
        videoshop.database.pool-size = many
        videoshop.log.format = xml
        videoshop.cluster.seed-nodes = "node-a"
        videoshop.cluster.ask-timeout = 0s
        """))
        .isInstanceOf(SettingsException.class)
        .satisfies(e -> assertThat(((SettingsException) e).problems()).containsExactlyInAnyOrder(
            "videoshop.http.port: must be between 0 and 65535, was 70000",
            "videoshop.database.kind: must be one of [h2, postgres], was \"oracle\"",
            "videoshop.database.pool-size: has type STRING rather than NUMBER",
            "videoshop.log.format: must be one of [text, json], was \"xml\"",
            "videoshop.cluster.seed-nodes: each seed must be host:port, was \"node-a\"",
            "videoshop.cluster.ask-timeout: must be a positive duration such as 5s, was PT0S"));
  }

  @Test
  void kubernetesDeploymentIsConfiguredByEnvironmentAlone() {
    Config env = ConfigFactory.parseMap(java.util.Map.of(
        "VIDEOSHOP_CLUSTER_DISCOVERY", "kubernetes-api",
        "VIDEOSHOP_CLUSTER_HOST", "10.1.2.3",
        "VIDEOSHOP_MANAGEMENT_HOST", "10.1.2.3",
        "VIDEOSHOP_MANAGEMENT_PORT", "8600",
        "VIDEOSHOP_BOOTSTRAP_SERVICE_NAME", "shop",
        "VIDEOSHOP_BOOTSTRAP_POD_LABEL_SELECTOR", "app.kubernetes.io/name=%s,tier=node",
        "VIDEOSHOP_BOOTSTRAP_REQUIRED_CONTACT_POINT_NR", "3"));
    VideoShopSettings settings =
        VideoShopSettings.from(env.withFallback(ConfigFactory.defaultReferenceUnresolved()).resolve());
    assertThat(settings.cluster().discovery()).isEqualTo(ClusterSettings.Discovery.KUBERNETES_API);
    assertThat(settings.cluster().formsClusterOfItsOwn()).as("bootstrap decides, not the node alone").isFalse();
    assertThat(settings.management()).isEqualTo(new ManagementSettings("10.1.2.3", 8600));
    assertThat(settings.cluster().bootstrap())
        .isEqualTo(new ClusterSettings.Bootstrap("shop", "app.kubernetes.io/name=%s,tier=node", 3));
    assertThat(settings.cluster().bootstrap().effectiveLabelSelector()).isEqualTo("app.kubernetes.io/name=shop,tier=node");
  }

  @Test
  void bootstrapDefaultsSelectThePodsLabelledAppVideoshop() {
    ClusterSettings.Bootstrap bootstrap = settingsWith("").cluster().bootstrap();
    assertThat(bootstrap.effectiveLabelSelector()).isEqualTo("app=videoshop");
    assertThat(bootstrap.requiredContactPointNr()).isEqualTo(2);
    assertThat(new ClusterSettings.Bootstrap("x", "tier=node", 1).effectiveLabelSelector()).isEqualTo("tier=node");
  }

  @Test
  void wrongClusterAndManagementValuesAreNamed() {
    assertThatThrownBy(() -> settingsWith("""
        videoshop.cluster.discovery = dns
        videoshop.cluster.bootstrap { service-name = " ", pod-label-selector = "app=%d", required-contact-point-nr = 0 }
        videoshop.management { host = "", port = -1 }
        """))
        .isInstanceOf(SettingsException.class)
        .satisfies(e -> assertThat(((SettingsException) e).problems()).containsExactlyInAnyOrder(
            "videoshop.cluster.discovery: must be one of [seed-nodes, kubernetes-api], was \"dns\"",
            "videoshop.cluster.bootstrap.service-name: must not be empty",
            "videoshop.cluster.bootstrap.pod-label-selector: may contain %s (the service name) and no other %, "
                + "was \"app=%d\"",
            "videoshop.cluster.bootstrap.required-contact-point-nr: must be between 1 and 100, was 0",
            "videoshop.management.host: must not be empty",
            "videoshop.management.port: must be between 0 and 65535, was -1"));
  }

  @Test
  void kubernetesApiNeedsAFixedReachableManagementAddressAndNoSeedNodes() {
    assertThatThrownBy(() -> settingsWith("""
        videoshop.cluster { discovery = kubernetes-api, seed-nodes = "10.0.0.1:25520" }
        videoshop.management { host = "0.0.0.0", port = 0 }
        """))
        .isInstanceOf(SettingsException.class)
        .satisfies(e -> assertThat(((SettingsException) e).problems()).containsExactlyInAnyOrder(
            "videoshop.cluster.seed-nodes: must be empty when videoshop.cluster.discovery = kubernetes-api "
                + "(cluster bootstrap finds the other nodes), was \"10.0.0.1:25520\"",
            "videoshop.management.port: must be a fixed port when videoshop.cluster.discovery = kubernetes-api "
                + "(bootstrap advertises it to the other nodes), was 0",
            "videoshop.management.host: must be this node's reachable address (e.g. the pod IP) when "
                + "videoshop.cluster.discovery = kubernetes-api, was \"0.0.0.0\""));
    // The same values are fine for a local node that finds others through seed nodes.
    assertThat(settingsWith("videoshop.management { host = \"0.0.0.0\", port = 0 }").management().port()).isZero();
  }

  @Test
  void oneNodesPortsMustDiffer() {
    assertThatThrownBy(() -> settingsWith("""
        videoshop.http.port = 9000
        videoshop.cluster.port = 9000
        videoshop.management.port = 9000
        """))
        .isInstanceOf(SettingsException.class)
        .satisfies(e -> assertThat(((SettingsException) e).problems()).containsExactlyInAnyOrder(
            "videoshop.management.port: must differ from videoshop.http.port, both are 9000",
            "videoshop.management.port: must differ from videoshop.cluster.port, both are 9000",
            "videoshop.http.port: must differ from videoshop.cluster.port, both are 9000"));
    assertThat(settingsWith("videoshop { http.port = 0, cluster.port = 0, management.port = 0 }").http().port())
        .as("port 0 (any free port) never clashes").isZero();
  }

  @Test
  void postgresWithoutUrlIsRejectedWithTheVariableToSet() {
    assertThatThrownBy(() -> settingsWith("videoshop.database.kind = postgres"))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("videoshop.database.url: is required")
        .hasMessageContaining("VIDEOSHOP_DB_URL");
  }

  @Test
  void aMissingKeyIsNamed() {
    Config config = ConfigFactory.defaultReference().withoutPath("videoshop.http.port");
    assertThatThrownBy(() -> VideoShopSettings.from(config))
        .hasMessageContaining("videoshop.http.port: is missing");
  }

  @Test
  void aKeyThatIsNotASettingIsNamed() {
    assertThatThrownBy(() -> settingsWith("videoshop.http.prot = 9090\nvideoshop.cluster.calls.reconnect-grace = 5s"))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("videoshop.http.prot: is not a setting")
        .hasMessageContaining("videoshop.cluster.calls.reconnect-grace: is not a setting");
  }

  @Test
  void durationsMustBePositive() {
    assertThatThrownBy(() -> settingsWith("videoshop.database.connection-timeout = 0s"))
        .hasMessageContaining("videoshop.database.connection-timeout: must be a positive duration");
  }

  @Test
  void billingDefaultsGiveATwoWeekTrialAndNoWebhookUntilItsSecretIsSet() {
    BillingSettings billing = settingsWith("").billing();
    assertThat(billing.trialFreeMinutes()).isEqualTo(60);
    assertThat(billing.trialLength()).isEqualTo(Duration.ofDays(14));
    assertThat(billing.lowBalanceMinutes()).isEqualTo(10);
    assertThat(billing.webhookConfigured()).isFalse();
    assertThat(billing.stripeTolerance()).isEqualTo(Duration.ofMinutes(5));

    Config env = ConfigFactory.parseMap(java.util.Map.of("VIDEOSHOP_STRIPE_WEBHOOK_SECRET", "whsec_0123456789abcdef",
        "VIDEOSHOP_BILLING_TRIAL_FREE_MINUTES", "30"));
    BillingSettings fromEnv =
        VideoShopSettings.from(env.withFallback(ConfigFactory.defaultReferenceUnresolved()).resolve()).billing();
    assertThat(fromEnv.webhookConfigured()).isTrue();
    assertThat(fromEnv.trialFreeMinutes()).isEqualTo(30);
    assertThat(fromEnv.toString()).doesNotContain("whsec_");
  }

  @Test
  void wrongBillingValuesAreNamed() {
    assertThatThrownBy(() -> settingsWith("""
        videoshop.billing { trial.free-minutes = -1, low-balance-minutes = 20000 }
        videoshop.billing.stripe { webhook-secret = "short", tolerance = 2h }
        """))
        .isInstanceOf(SettingsException.class)
        .satisfies(e -> assertThat(((SettingsException) e).problems()).containsExactlyInAnyOrder(
            "videoshop.billing.trial.free-minutes: must be between 0 and 1000000, was -1",
            "videoshop.billing.low-balance-minutes: must be between 0 and 10000, was 20000",
            "videoshop.billing.stripe.webhook-secret: must be at least 16 characters (Stripe's look like whsec_...), "
                + "was 5",
            "videoshop.billing.stripe.tolerance: must be at most 1h (a longer window lets old deliveries be "
                + "replayed), was PT2H"));
  }

  @Test
  void masterKeysAreIdColonBase64Of32BytesAndNeverAppearInMessages() {
    String key = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    VideoShopSettings settings = settingsWith("videoshop.privacy { master-key = \"k2:" + key
        + "\", previous-master-keys = \"k1:" + key + "\" }\nvideoshop.region = eu-central");
    assertThat(settings.privacy().masterKey()).get().extracting(PrivacySettings.MasterKey::id).isEqualTo("k2");
    assertThat(settings.privacy().previousMasterKeys()).extracting(PrivacySettings.MasterKey::id).containsExactly("k1");
    assertThat(settings.privacy().region()).isEqualTo("eu-central");
    assertThat(settings.privacy().toString()).doesNotContain(key);
    assertThat(settingsWith("").privacy().masterKey()).isEmpty();
    assertThat(settingsWith("").privacy().region()).isEqualTo("unspecified");

    String shortKey = java.util.Base64.getEncoder().encodeToString(new byte[16]);
    assertThatThrownBy(() -> settingsWith("videoshop.privacy { master-key = \"k1:" + shortKey
            + "\", previous-master-keys = \"no-id\" }"))
        .isInstanceOf(SettingsException.class)
        .hasMessageContaining("videoshop.privacy.master-key: must be id:base64 of 32 bytes")
        .hasMessageContaining("videoshop.privacy.previous-master-keys: each must be id:base64")
        .hasMessageNotContaining(shortKey);
    assertThatThrownBy(() -> settingsWith("videoshop.privacy { master-key = \"k1:" + key
            + "\", previous-master-keys = \"k1:" + key + "\" }"))
        .hasMessageContaining("must not repeat the id of master-key (k1)");
  }
}
