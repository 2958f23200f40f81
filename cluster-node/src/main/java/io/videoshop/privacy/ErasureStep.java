package io.videoshop.privacy;

/**
 * What erasing a shopper does to one store. {@link Erasures} runs the steps in order (live
 * processes first, the subject keys last); a step must be idempotent, since a failed erasure is run
 * again from the start. A new store that holds shopper data adds a step (and a line in
 * docs/privacy.md's data map).
 */
public interface ErasureStep {
  /** The store, as the request's result names it (e.g. "outbox"). */
  String store();

  /**
   * Erases or anonymises the shopper's data in the store; blocking work is fine (it runs on the
   * blocking dispatcher).
   *
   * @return how many rows, entries or processes it changed
   */
  int erase(ErasureTarget target) throws Exception;
}
