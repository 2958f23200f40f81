package io.videoshop.persistence;

/** The database cannot be reached or migrated: the node must say so and stop, not hang. */
public final class DatabaseUnavailableException extends RuntimeException {
  public DatabaseUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
