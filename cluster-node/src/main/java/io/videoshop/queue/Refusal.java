package io.videoshop.queue;

/** Why the queue refused a command; {@link #code()} is the stable code clients see. */
public enum Refusal {
  QUEUE_FULL,
  QUEUE_CLOSED,
  TENANT_SUSPENDED,
  INVALID_TICKET,
  UNKNOWN_TICKET,
  INVALID_RESUME_TOKEN,
  UNKNOWN_RESERVATION,
  NOT_YOUR_RESERVATION,
  INVALID_PRESENCE,
  AGENT_NOT_BUSY,
  INVALID_SETTINGS;

  /** e.g. {@code queue_full}. */
  public String code() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
