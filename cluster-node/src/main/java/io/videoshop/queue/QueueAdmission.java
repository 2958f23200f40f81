package io.videoshop.queue;

import io.videoshop.persistence.CborSerializable;

/**
 * What the tenant's billing allows the queue, pushed in from the wallet's admission state (the
 * queue learns it by subscription; it never asks per join).
 *
 * @param refusal why joins are refused when not admitting: {@link Refusal#INSUFFICIENT_FUNDS} or
 *     {@link Refusal#PLAN_LIMIT}
 * @param concurrentCallLimit calls at once the plan allows; null: no limit
 */
public record QueueAdmission(boolean admitting, Refusal refusal, Integer concurrentCallLimit)
    implements CborSerializable {

  public static final QueueAdmission ADMITTING = new QueueAdmission(true, null, null);
}
