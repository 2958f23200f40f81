package io.videoshop.privacy;

import io.videoshop.persistence.privacy.PersonalDataVault;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a master key rotation (a new {@code VIDEOSHOP_MASTER_KEY}, the old one in
 * {@code VIDEOSHOP_PREVIOUS_MASTER_KEYS}) every node re-wraps the subject keys still under an old
 * key, in small batches on the blocking dispatcher; when none are left the old key can go. Two
 * nodes re-wrapping at once is harmless (same subject key, conditional updates).
 */
public final class MasterKeyRotation {
  private static final Logger log = LoggerFactory.getLogger(MasterKeyRotation.class);
  static final int BATCH = 500;
  /** Batches per run at most: a run stays short, the next run goes on. */
  static final int BATCHES_PER_RUN = 20;

  private final PersonalDataVault vault;

  public MasterKeyRotation(PersonalDataVault vault) {
    this.vault = vault;
  }

  public static void start(ActorSystem<?> system, PersonalDataVault vault, Duration interval, Executor blocking) {
    MasterKeyRotation rotation = new MasterKeyRotation(vault);
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(5), interval, () -> {
      try {
        rotation.run();
      } catch (RuntimeException e) {
        log.warn("Re-wrapping subject keys failed; the next run tries again: {}", e.toString());
      }
    }, scala.concurrent.ExecutionContext.fromExecutor(blocking));
  }

  /** Re-wraps until none are left or the run's batches are used; answers how many it re-wrapped. */
  public int run() {
    int total = 0;
    for (int i = 0; i < BATCHES_PER_RUN; i++) {
      int done = vault.rewrapBatch(BATCH);
      total += done;
      if (done < BATCH) break;
    }
    if (total > 0) {
      log.info("Re-wrapped {} subject keys under master key {}", total, vault.masterKeys().currentId());
    }
    return total;
  }
}
