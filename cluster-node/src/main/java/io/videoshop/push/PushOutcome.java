package io.videoshop.push;

import java.time.Duration;

/** What a push service answered one push, in the outbox's terms. */
public sealed interface PushOutcome {

  /** Accepted (201): the push service has it. */
  record Delivered() implements PushOutcome {}

  /** Worth trying again later: 429, 5xx, a time-out or a network failure; {@code after} from Retry-After when given. */
  record Retry(String reason, Duration after) implements PushOutcome {}

  /** Will never be accepted as it is (400, 401, 403, 413, ...): no retry. */
  record Permanent(String reason) implements PushOutcome {}

  /** 404 or 410: the subscription has expired or been unsubscribed; it is removed. */
  record Gone(int status) implements PushOutcome {}
}
