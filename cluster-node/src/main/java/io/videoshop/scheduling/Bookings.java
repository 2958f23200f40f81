package io.videoshop.scheduling;

import io.videoshop.persistence.privacy.DecryptedPersonalData;
import io.videoshop.persistence.privacy.EncryptedPersonalData;
import io.videoshop.persistence.privacy.PersonalDataVault;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/**
 * The bookings read model ({@link BookingsProjection}'s table, about a second behind the
 * calendars): lists filtered by agent, status and time, with the shopper's name and email
 * decrypted for the people allowed to see them (or "[erased]"). JDBC: call it on the blocking
 * dispatcher.
 */
public final class Bookings {
  public static final int MAX_PAGE = 200;

  private final Jdbi jdbi;
  private final PersonalDataVault vault;

  public Bookings(Jdbi jdbi, PersonalDataVault vault) {
    this.jdbi = jdbi;
    this.vault = vault;
  }

  public record Filter(Optional<String> agentId, Optional<String> status, Optional<Instant> from, Optional<Instant> to,
      int limit, int offset) {}

  public record BookingSummary(String bookingId, String agentId, boolean agentChosen, Instant start, Instant end,
      String status, int sequence, String name, String email, String productInterest, String shopperTimeZone,
      String cancelReason, String roomId, Instant createdAt, Instant updatedAt) {}

  public record Page(List<BookingSummary> items, Integer nextOffset) {}

  public Page list(String tenantId, Filter filter) {
    List<BookingSummary> rows = jdbi.withHandle(handle -> {
      StringBuilder sql = new StringBuilder("SELECT * FROM bookings WHERE tenant_id = :tenantId");
      filter.agentId().ifPresent(agent -> sql.append(" AND agent_id = :agentId"));
      filter.status().ifPresent(status -> sql.append(" AND status = :status"));
      filter.from().ifPresent(from -> sql.append(" AND ends_at > :from"));
      filter.to().ifPresent(to -> sql.append(" AND starts_at < :to"));
      sql.append(" ORDER BY starts_at, booking_id LIMIT :limit OFFSET :offset");
      Query query = handle.createQuery(sql.toString()).bind("tenantId", tenantId)
          .bind("limit", filter.limit() + 1).bind("offset", filter.offset());
      filter.agentId().ifPresent(agent -> query.bind("agentId", agent));
      filter.status().ifPresent(status -> query.bind("status", status));
      filter.from().ifPresent(from -> query.bind("from", from));
      filter.to().ifPresent(to -> query.bind("to", to));
      return query.map((rs, ctx) -> summary(rs)).list();
    });
    boolean more = rows.size() > filter.limit();
    return new Page(more ? rows.subList(0, filter.limit()) : rows, more ? filter.offset() + filter.limit() : null);
  }

  private BookingSummary summary(ResultSet rs) throws SQLException {
    String subject = rs.getString("subject_id");
    return new BookingSummary(rs.getString("booking_id"), rs.getString("agent_id"), rs.getBoolean("agent_chosen"),
        rs.getTimestamp("starts_at").toInstant(), rs.getTimestamp("ends_at").toInstant(), rs.getString("status"),
        rs.getInt("sequence_nr"), plain(subject, rs.getString("name_ciphertext")),
        plain(subject, rs.getString("email_ciphertext")), rs.getString("product_interest"),
        rs.getString("shopper_time_zone"), rs.getString("cancel_reason"), rs.getString("room_id"),
        rs.getTimestamp("created_at").toInstant(),
        rs.getTimestamp("updated_at").toInstant());
  }

  private String plain(String subject, String ciphertext) {
    DecryptedPersonalData value = vault.decrypt(new EncryptedPersonalData(subject, ciphertext));
    return value == null ? null : value.value();
  }
}
