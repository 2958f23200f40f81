package io.videoshop.persistence;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTimeoutException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The pool as the node's own queries see it: at most {@link #lendable} connections lent at once,
 * so a burst of request-driven queries (API routes, socket sessions, workers; 16 threads on the
 * blocking dispatcher) never holds every connection of the pool the journal shares: past the
 * bound a query waits for one of its share (up to the pool's connection timeout) while the
 * journal's writes still find a connection. A lent connection goes back to the share when closed.
 */
public final class BoundedDataSource implements DataSource {
  private final DataSource pool;
  private final int lendable;
  private final long timeoutMillis;
  private final Semaphore permits;

  public BoundedDataSource(DataSource pool, int lendable, long timeoutMillis) {
    if (lendable < 1) throw new IllegalArgumentException("lendable must be at least 1");
    this.pool = pool;
    this.lendable = lendable;
    this.timeoutMillis = timeoutMillis;
    this.permits = new Semaphore(lendable, true);
  }

  /**
   * The node's share of a pool of {@code poolSize}: the journal keeps about 30 % (at least one
   * connection) whenever the pool has two or more.
   */
  public static int shareOf(int poolSize) {
    return Math.max(1, poolSize - (poolSize * 3 + 9) / 10);
  }

  @Override
  public Connection getConnection() throws SQLException {
    return lent(pool::getConnection);
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return lent(() -> pool.getConnection(username, password));
  }

  private interface Opening {
    Connection open() throws SQLException;
  }

  /** A connection of the share: a permit first (waiting up to the timeout), given back if none opens. */
  private Connection lent(Opening opening) throws SQLException {
    acquire();
    try {
      return returningItsPermit(opening.open());
    } catch (SQLException | RuntimeException | Error e) {
      permits.release();
      throw e;
    }
  }

  private void acquire() throws SQLException {
    try {
      if (!permits.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
        throw new SQLTimeoutException("All " + lendable + " connections the node's queries may hold are in use"
            + " (the rest of the pool is kept for the journal); none came back within " + timeoutMillis + " ms");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for a connection", e);
    }
  }

  /** {@code connection}, giving its permit back once, when it is closed. */
  private Connection returningItsPermit(Connection connection) {
    AtomicBoolean returned = new AtomicBoolean();
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          if (method.getName().equals("equals") && method.getParameterCount() == 1) return proxy == args[0];
          if (method.getName().equals("hashCode") && method.getParameterCount() == 0) {
            return System.identityHashCode(proxy);
          }
          boolean closing = method.getName().equals("close") && method.getParameterCount() == 0;
          try {
            return method.invoke(connection, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          } finally {
            if (closing && returned.compareAndSet(false, true)) permits.release();
          }
        });
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return pool.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    pool.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    pool.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return pool.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return pool.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    return type.isInstance(this) ? type.cast(this) : pool.unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return type.isInstance(this) || pool.isWrapperFor(type);
  }
}
