package io.videoshop.persistence.privacy;

/**
 * The node cannot start with its master key: none is configured where one is required, or it is
 * not the key the database's subject keys are wrapped under. The message says what to do and never
 * holds a key.
 */
public final class MasterKeyException extends RuntimeException {
  public MasterKeyException(String message) {
    super(message);
  }
}
