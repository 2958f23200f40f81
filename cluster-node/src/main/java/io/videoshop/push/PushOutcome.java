package io.videoshop.push;

/** What a push service answered one push, in the outbox's terms. */
public sealed interface PushOutcome {

  /** Accepted (201): the push service has it. */
  record Delivered() implements PushOutcome {}

  /** Worth trying again later: 429, 5xx, a time-out or a network failure (the outbox's backoff decides when). */
  record Retry(String reason) implements PushOutcome {}

  /** Will never be accepted as it is (400, 401, 403, 413, ...): no retry. */
  record Permanent(String reason) implements PushOutcome {}

  /** 404 or 410: the subscription has expired or been unsubscribed; it is removed. */
  record Gone(int status) implements PushOutcome {}
}
