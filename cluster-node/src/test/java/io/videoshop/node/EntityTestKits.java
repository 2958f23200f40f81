package io.videoshop.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/** The configuration of entity tests: manual time, the in-memory journal, our serialization. */
public final class EntityTestKits {
  private EntityTestKits() {}

  public static Config config() {
    return ManualTime.config()
        // The journal's circuit breaker runs on the manual clock too: time a test moves past a
        // timer would trip it.
        .withFallback(ConfigFactory.parseString("""
            pekko.actor.serialize-messages = on
            pekko.persistence.journal-plugin-fallback.circuit-breaker.call-timeout = 1d
            pekko.persistence.snapshot-store-plugin-fallback.circuit-breaker.call-timeout = 1d
            """))
        .withFallback(EventSourcedBehaviorTestKit.config())
        .withFallback(ConfigFactory.parseResources("serialization.conf"));
  }
}
