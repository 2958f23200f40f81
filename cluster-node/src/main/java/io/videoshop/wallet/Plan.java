package io.videoshop.wallet;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.videoshop.persistence.CborSerializable;
import java.time.Instant;
import java.util.Optional;

/**
 * What a tenant pays for calls. Money is in the wallet currency's minor unit (cents), never a
 * floating-point number. The same records are the API's JSON ({@code "kind": "subscription"}).
 *
 * <p>Accessors not named like record components ({@link #seatLimit()}, ...) let the wallet treat
 * every plan alike; Jackson ignores them because they are not getters.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Plan.Trial.class, name = Plan.TRIAL),
  @JsonSubTypes.Type(value = Plan.PayAsYouGo.class, name = Plan.PAY_AS_YOU_GO),
  @JsonSubTypes.Type(value = Plan.Subscription.class, name = Plan.SUBSCRIPTION)
})
public sealed interface Plan extends CborSerializable {
  String TRIAL = "trial";
  String PAY_AS_YOU_GO = "pay-as-you-go";
  String SUBSCRIPTION = "subscription";

  long MAX_RATE = 1_000_000_000L;
  long MAX_FEE = 100_000_000_000L;
  int MAX_MINUTES = 1_000_000;
  int MAX_LIMIT = 100_000;

  /** The plan's wire name, also kept in the tenants table's {@code plan} column. */
  String wireName();

  /** Price of a call minute beyond the included ones; 0 for a trial (its minutes are free). */
  default long overageRate() {
    return 0;
  }

  /** Agent seats allowed; null: no limit. */
  default Integer seatLimit() {
    return null;
  }

  /** Calls at the same time allowed; null: no limit. */
  default Integer callLimit() {
    return null;
  }

  /** Why the plan cannot be used, if it cannot. */
  Optional<String> invalidBecause();

  /**
   * Free call minutes and the end date. The trial ends at {@code endsAt} or when its minutes are
   * used up, whichever comes first; then new shoppers are refused with {@code plan_limit}.
   */
  record Trial(int freeMinutes, Instant endsAt) implements Plan {
    @Override
    public String wireName() {
      return TRIAL;
    }

    @Override
    public Optional<String> invalidBecause() {
      if (freeMinutes < 0 || freeMinutes > MAX_MINUTES) {
        return Optional.of("freeMinutes must be between 0 and " + MAX_MINUTES);
      }
      if (endsAt == null) return Optional.of("endsAt is required");
      return Optional.empty();
    }
  }

  /** Every call minute at one rate, paid from the wallet. */
  record PayAsYouGo(long minuteRate) implements Plan {
    @JsonCreator
    public PayAsYouGo {}

    @Override
    public String wireName() {
      return PAY_AS_YOU_GO;
    }

    @Override
    public long overageRate() {
      return minuteRate;
    }

    @Override
    public Optional<String> invalidBecause() {
      if (minuteRate < 1 || minuteRate > MAX_RATE) {
        return Optional.of("minuteRate must be between 1 and " + MAX_RATE + " minor units");
      }
      return Optional.empty();
    }
  }

  /**
   * A monthly fee (charged from the wallet at the start of each calendar month, UTC) that
   * includes minutes; minutes beyond them cost {@code minuteRate} (0: free). Null limits: none.
   */
  record Subscription(long monthlyFee, int includedMinutes, long minuteRate, Integer agentSeats,
      Integer concurrentCalls) implements Plan {
    @Override
    public String wireName() {
      return SUBSCRIPTION;
    }

    @Override
    public long overageRate() {
      return minuteRate;
    }

    @Override
    public Integer seatLimit() {
      return agentSeats;
    }

    @Override
    public Integer callLimit() {
      return concurrentCalls;
    }

    @Override
    public Optional<String> invalidBecause() {
      if (monthlyFee < 0 || monthlyFee > MAX_FEE) {
        return Optional.of("monthlyFee must be between 0 and " + MAX_FEE + " minor units");
      }
      if (includedMinutes < 0 || includedMinutes > MAX_MINUTES) {
        return Optional.of("includedMinutes must be between 0 and " + MAX_MINUTES);
      }
      if (minuteRate < 0 || minuteRate > MAX_RATE) {
        return Optional.of("minuteRate must be between 0 and " + MAX_RATE + " minor units");
      }
      if (agentSeats != null && (agentSeats < 1 || agentSeats > MAX_LIMIT)) {
        return Optional.of("agentSeats must be between 1 and " + MAX_LIMIT + ", or absent for no limit");
      }
      if (concurrentCalls != null && (concurrentCalls < 1 || concurrentCalls > MAX_LIMIT)) {
        return Optional.of("concurrentCalls must be between 1 and " + MAX_LIMIT + ", or absent for no limit");
      }
      return Optional.empty();
    }
  }

  /**
   * Whether changing from one plan to another takes effect now (an upgrade) or at the start of
   * the next period (a downgrade: from a subscription to pay-as-you-go or to a cheaper
   * subscription, so what was paid for this month is kept until it ends).
   */
  static boolean takesEffectNow(Plan from, Plan to) {
    if (from instanceof Subscription current) {
      return to instanceof Subscription next && next.monthlyFee() >= current.monthlyFee();
    }
    return true;
  }
}
