package io.videoshop.queue;

/** Why the queue refused a command; {@link #code()} is the stable code clients see. */
public enum Refusal {
  QUEUE_FULL,
  QUEUE_CLOSED,
  TENANT_SUSPENDED,
  /** The tenant's wallet has no balance and no included minutes left. */
  INSUFFICIENT_FUNDS,
  /** The tenant's trial has ended (or another plan limit stops new shoppers). */
  PLAN_LIMIT,
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
