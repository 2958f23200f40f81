package io.videoshop.privacy;

import static io.videoshop.http.ApiRoute.blocking;

import io.videoshop.domain.Caller;
import io.videoshop.domain.Role;
import io.videoshop.access.Users;
import io.videoshop.audit.AuditLog;
import io.videoshop.http.Access;
import io.videoshop.http.ApiError;
import io.videoshop.http.ApiResponse;
import io.videoshop.http.ApiRoute;
import io.videoshop.http.Blocking;
import io.videoshop.http.ClusterRateLimits;
import io.videoshop.http.ClusterTakes;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Data rights over HTTP: shoppers' and users' exports, corrections and erasures, export jobs and
 * their downloads, consent withdrawal, retention (dry run, a tenant's overrides), the requests'
 * status, the region, the master keys' state. Translation only.
 */
public final class PrivacyRoutes {
  private PrivacyRoutes() {}

  /** Exactly one of the fields names the shopper. */
  public record ErasureRequest(String email, String phone, String ticketId, String bookingId, String roomId) {}

  public record Region(String region) {}

  public record MasterKeysView(String currentKeyId, Map<String, Long> keysPerMasterKey) {}

  /** The corrected booking, without personal data (read it back through the bookings list or an export). */
  public record Corrected(String bookingId, java.time.Instant updatedAt) {}

  /** The corrected ticket, without personal data (read it back through the export or the agents' queue view). */
  public record CorrectedTicket(String ticketId, java.time.Instant correctedAt) {}

  /** An export job names a shopper as an export does, or one of the tenant's users. */
  public record ExportJobRequest(String email, String phone, String ticketId, String bookingId, String roomId,
      String userId) {}

  /** A tenant's retention overrides: data class to days (a class left out keeps the platform default). */
  public record RetentionOverrides(Map<String, Integer> overrides) {}

  /** A withdrawal by the signed token of a mail's footer link or the widget. */
  public record Withdrawal(String token, List<String> purposes) {}

  /**
   * The public withdrawal's bucket per client address (it is public: the token is the authority),
   * over the cluster ({@link ClusterRateLimits}: this node's bucket drained by what the other nodes
   * took, about a second late; an address is shared from its second withdrawal on a node).
   */
  public static final class WithdrawalLimit {
    private final ClusterRateLimits buckets;

    public WithdrawalLimit(int burst, int perMinute, java.util.function.LongSupplier nanos) {
      ClusterRateLimits.Limit perAddress = new ClusterRateLimits.Limit(burst, perMinute);
      this.buckets = new ClusterRateLimits(key -> perAddress, key -> 2, nanos);
    }

    /** What this node tells the others, and where their takes go (started by {@code ClusterCountsGossip}). */
    public ClusterTakes taken() {
      return buckets.taken();
    }

    void admit(String ip) {
      buckets.take("address:" + ip, "Too many withdrawals from this address; try again shortly");
    }
  }

  public static List<ApiRoute> routes(Erasures erasures, ShopperExport export, ShopperCorrections corrections,
      UserPrivacy userPrivacy, Users users, Consents consents, ExportJobs exportJobs, Retention retention,
      AuditLog audit, PersonalDataVault vault, String region, WithdrawalLimit withdrawalLimit, Blocking blocking) {
    String tenantUser = "/api/v1/tenants/{tenantId}/privacy/users/{userId}";
    List<ApiRoute> forUsers = List.of(
        blocking("POST", tenantUser + "/export", Access.tenantUsersOnly(Role.ADMIN),
            "Export a user's data: account, roles, sign-ins, own acts, push subscriptions, preferences (a zip); audited",
            blocking, request -> userExport(userPrivacy, audit, request.caller(), request.path("tenantId"),
                request.path("userId"))).withoutBody(),
        blocking("GET", "/api/v1/me/export", Access.SIGNED_IN,
            "Export the signed-in user's own data (a zip, as an admin's export of them); audited", blocking,
            request -> userExport(userPrivacy, audit, requireUser(request.caller()), null, request.caller().id())),
        blocking("PUT", tenantUser + "/details", Access.tenantUsersOnly(Role.ADMIN),
            "Correct a user's display name or email (an admin cannot change an owner); audited", blocking,
            request -> ApiResponse.ok(users.correct(request.caller(), request.path("tenantId"), request.path("userId"),
                request.body(Users.Correction.class)))),
        blocking("PUT", "/api/v1/me/details", Access.SIGNED_IN,
            "Correct the signed-in user's own display name or email; audited", blocking,
            request -> ApiResponse.ok(users.correct(requireUser(request.caller()), null, request.caller().id(),
                request.body(Users.Correction.class)))),
        blocking("POST", tenantUser + "/erasure", Access.tenantUsersOnly(Role.ADMIN),
            "Erase a user: a pseudonym replaces their name and email in the audit trail, they can no longer sign in; "
                + "asynchronous, idempotent, audited", blocking,
            request -> ApiResponse.accepted(userPrivacy.erase(request.caller(), request.path("tenantId"),
                request.path("userId")))).withoutBody());
    List<ApiRoute> all = new ArrayList<>(forUsers);
    all.add(blocking("POST", "/api/v1/tenants/{tenantId}/privacy/export-jobs", Access.tenantUsersOnly(Role.ADMIN),
        "Export a shopper's or a user's data as a job: 202 with the request; when done, its result holds a signed "
            + "download link that expires; audited", blocking, request -> {
          ExportJobRequest body = request.body(ExportJobRequest.class);
          String tenantId = request.path("tenantId");
          if (body.userId() != null && !body.userId().isBlank()) {
            if (body.email() != null || body.phone() != null || body.ticketId() != null || body.bookingId() != null
                || body.roomId() != null) {
              throw ApiError.invalid("userId", "required", "either userId or one of email, phone, ticketId, bookingId, roomId");
            }
            String userId = body.userId().strip();
            users.get(tenantId, userId); // another tenant's user (or none) is 404 now, not a failed job later
            return ApiResponse.accepted(exportJobs.start(tenantId, "user", request.caller(),
                () -> userPrivacy.export(tenantId, userId)));
          }
          Map.Entry<ShopperDirectory.ReferenceType, String> named = reference(new ErasureRequest(body.email(),
              body.phone(), body.ticketId(), body.bookingId(), body.roomId()));
          return ApiResponse.accepted(exportJobs.start(tenantId, named.getKey().name().toLowerCase(java.util.Locale.ROOT),
              request.caller(), () -> export.zip(tenantId, named.getKey(), named.getValue())));
        }));
    all.add(blocking("GET", ExportJobs.DOWNLOAD_PATH + "{token}", Access.PUBLIC,
        "Download an export job's bundle by its signed link, until it expires (then 410); audited", blocking,
        request -> ApiResponse.bytes("application/zip", exportJobs.download(request.caller(), request.path("token")),
            Map.of("Content-Disposition", "attachment; filename=\"export.zip\"", "Cache-Control", "no-store"))));
    all.add(blocking("GET", "/api/v1/tenants/{tenantId}/privacy/retention", Access.tenantUsersOnly(Role.ADMIN),
        "The tenant's retention per data class it may override: platform default, limits, its override, what applies",
        blocking, request -> ApiResponse.ok(Map.of("classes", retention.ofTenant(request.path("tenantId"))))));
    all.add(blocking("PUT", "/api/v1/tenants/{tenantId}/privacy/retention", Access.tenantUsersOnly(Role.OWNER),
        "Replace the tenant's retention overrides (days per data class, within the platform's limits); audited",
        blocking, request -> ApiResponse.ok(Map.of("classes", retention.override(request.caller(),
            request.path("tenantId"), request.body(RetentionOverrides.class).overrides())))));
    all.add(blocking("POST", "/api/v1/privacy/consent/withdraw", Access.PUBLIC,
        "Withdraw a shopper's consent (call summary mail, marketing) by the signed token of a mail's link or the "
            + "widget; stops the processing it covered; audited; limited per client address (429 rate_limited)",
        blocking, request -> {
          withdrawalLimit.admit(request.caller().ip());
          Withdrawal body = request.body(Withdrawal.class);
          return ApiResponse.ok(consents.withdraw(body.token(), body.purposes()));
        }));
    all.addAll(List.of(
        blocking("GET", "/api/v1/privacy/retention", Access.OPERATOR,
            "Retention dry run: per data class its period, the cutoff now and the rows the job would change", blocking,
            request -> ApiResponse.ok(Map.of("classes", retention.dryRun()))),
        blocking("PUT", "/api/v1/tenants/{tenantId}/privacy/bookings/{bookingId}/details",
            Access.tenantUsersOnly(Role.ADMIN),
            "Correct a shopper's name, email, phone or notes on a booking (a new encrypted event); audited",
            blocking, request -> {
              ShopperCorrections.Correction body = request.body(ShopperCorrections.Correction.class);
              String tenantId = request.path("tenantId");
              var booking = corrections.correctBooking(tenantId, request.path("bookingId"), body);
              audit.record(request.caller(), new AuditLog.Change(tenantId, "shopper.corrected", "booking", booking.id(),
                  null, Map.of("fields", body.fields())));
              return ApiResponse.ok(new Corrected(booking.id(), booking.updatedAt()));
            }),
        blocking("PUT", "/api/v1/tenants/{tenantId}/privacy/tickets/{ticketId}/details",
            Access.tenantUsersOnly(Role.ADMIN),
            "Correct a shopper's name, email, phone or notes on a queue ticket, waiting or ended (a new encrypted "
                + "event); audited", blocking, request -> {
              ShopperCorrections.Correction body = request.body(ShopperCorrections.Correction.class);
              String tenantId = request.path("tenantId");
              var ticket = corrections.correctTicket(tenantId, request.path("ticketId"), body);
              audit.record(request.caller(), new AuditLog.Change(tenantId, "shopper.corrected", "ticket",
                  ticket.ticketId(), null, Map.of("fields", body.fields())));
              return ApiResponse.ok(new CorrectedTicket(ticket.ticketId(), ticket.at()));
            }),
        blocking("POST", "/api/v1/tenants/{tenantId}/privacy/erasures", Access.tenantUsersOnly(Role.ADMIN),
            "Erase a shopper (by email, phone, ticket, booking or room id): asynchronous, idempotent, audited",
            blocking, request -> {
              Map.Entry<ShopperDirectory.ReferenceType, String> named = reference(request.body(ErasureRequest.class));
              return ApiResponse.accepted(erasures.request(request.path("tenantId"), named.getKey(),
                  named.getValue(), request.caller()));
            }),
        blocking("POST", "/api/v1/tenants/{tenantId}/privacy/exports", Access.tenantUsersOnly(Role.ADMIN),
            "Export a shopper's data (by email, phone, ticket, booking or room id): a zip of JSON and CSV with a "
                + "manifest; audited", blocking, request -> {
              Map.Entry<ShopperDirectory.ReferenceType, String> named = reference(request.body(ErasureRequest.class));
              String tenantId = request.path("tenantId");
              byte[] zip = export.zip(tenantId, named.getKey(), named.getValue());
              audit.record(request.caller(), new AuditLog.Change(tenantId, "shopper.exported", "shopper", null, null,
                  Map.of("referenceType", named.getKey().name().toLowerCase(java.util.Locale.ROOT))));
              return ApiResponse.bytes("application/zip", zip,
                  Map.of("Content-Disposition", "attachment; filename=\"shopper-export.zip\""));
            }),
        blocking("GET", "/api/v1/tenants/{tenantId}/privacy/requests", Access.tenantUsersOnly(Role.ADMIN),
            "The tenant's data rights requests with their status (never an export's download link)", blocking,
            request -> ApiResponse.ok(Map.of("items", erasures.list(request.path("tenantId")).stream()
                .map(item -> exportJobs.view(item, request.caller(), false)).toList()))),
        blocking("GET", "/api/v1/tenants/{tenantId}/privacy/requests/{requestId}", Access.tenantUsersOnly(Role.ADMIN),
            "One data rights request and its status; a finished export's download link only for whoever asked for it",
            blocking,
            request -> ApiResponse.ok(erasures.get(request.path("tenantId"), request.path("requestId"))
                .map(found -> exportJobs.view(found, request.caller(), true))
                .orElseThrow(() -> ApiError.notFound("privacy_request_not_found", "No such privacy request")))),
        blocking("GET", "/api/v1/privacy/region", Access.SIGNED_IN,
            "Where this deployment processes and stores data (videoshop.region)", blocking,
            request -> ApiResponse.ok(new Region(region))),
        blocking("GET", "/api/v1/privacy/keys", Access.OPERATOR,
            "The master key new subject keys are wrapped under, and how many keys each master key id wraps",
            blocking, request -> ApiResponse.ok(new MasterKeysView(vault.masterKeys().currentId(),
                vault.keysPerMasterKey())))));
    return all;
  }

  private static ApiResponse userExport(UserPrivacy userPrivacy, AuditLog audit, Caller caller, String tenantId,
      String userId) {
    byte[] zip = userPrivacy.export(tenantId, userId);
    audit.record(caller, new AuditLog.Change(tenantId != null ? tenantId : caller.tenantId(), "user.exported",
        "user", userId, null, null));
    return ApiResponse.bytes("application/zip", zip,
        Map.of("Content-Disposition", "attachment; filename=\"user-export.zip\""));
  }

  /** A route for people, not for API keys (a key has no account of its own). */
  private static Caller requireUser(Caller caller) {
    if (caller.isApiKey()) throw ApiError.forbidden("api_key_not_allowed", "API keys may not do this; sign in as a user");
    return caller;
  }

  /** Exactly one field names the shopper, else 422. */
  private static Map.Entry<ShopperDirectory.ReferenceType, String> reference(ErasureRequest body) {
    List<Map.Entry<ShopperDirectory.ReferenceType, String>> named = new ArrayList<>();
    add(named, ShopperDirectory.ReferenceType.EMAIL, body.email());
    add(named, ShopperDirectory.ReferenceType.PHONE, body.phone());
    add(named, ShopperDirectory.ReferenceType.TICKET, body.ticketId());
    add(named, ShopperDirectory.ReferenceType.BOOKING, body.bookingId());
    add(named, ShopperDirectory.ReferenceType.ROOM, body.roomId());
    if (named.size() != 1) {
      throw ApiError.invalid("email", "required", "exactly one of email, phone, ticketId, bookingId, roomId names the shopper");
    }
    return named.get(0);
  }

  private static void add(List<Map.Entry<ShopperDirectory.ReferenceType, String>> named,
      ShopperDirectory.ReferenceType type, String value) {
    if (value != null && !value.isBlank()) named.add(Map.entry(type, value.strip()));
  }
}
