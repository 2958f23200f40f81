package io.videoshop.persistence;

import com.typesafe.config.Config;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.jdbc.db.SlickDatabase;
import org.apache.pekko.persistence.jdbc.db.SlickDatabaseProvider;

/**
 * Hands every pekko-persistence-jdbc plugin the node's one pool (configured as
 * {@code pekko-persistence-jdbc.database-provider-fqcn}); the plugins never open their own.
 */
public final class SharedDatabaseProvider implements SlickDatabaseProvider {
  private final ActorSystem system;

  public SharedDatabaseProvider(ActorSystem system) {
    this.system = system;
  }

  @Override
  public SlickDatabase database(Config pluginConfig) {
    return SharedDatabase.get(Adapter.toTyped(system)).slickDatabase();
  }
}
