package dev.berth.database;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.Closeable;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;

/**
 * Berth's state in PostgreSQL: a pool of connections (HikariCP) to a database whose schema Flyway
 * brings up to date at start. Every migration is backward compatible with the release before it
 * (columns and tables are added, never renamed or dropped while a release reads them), so replicas
 * of two versions can run side by side during a rolling upgrade. Thread-safe.
 */
public final class Database implements Closeable {
  private final HikariDataSource pool;

  private Database(HikariDataSource pool) {
    this.pool = pool;
  }

  /**
   * Connects to the database {@code settings} names and migrates its schema; {@link
   * DatabaseException} when it cannot be reached or migrated.
   */
  public static Database open(DatabaseSettings settings) throws DatabaseException {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.url());
    config.setUsername(settings.user());
    if (!settings.password().isEmpty()) {
      config.setPassword(settings.password());
    }
    config.setMaximumPoolSize(settings.poolSize());
    config.setPoolName("berth-database");
    // A request waits at most this long for a connection before it fails as unavailable.
    config.setConnectionTimeout(5_000);
    config.setValidationTimeout(2_000);
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new DatabaseException("database " + shown(settings.url()) + ": " + e.getMessage(), e);
    }
    try {
      Flyway.configure()
          .dataSource(pool)
          .locations("classpath:dev/berth/database/migration")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      pool.close();
      throw new DatabaseException(
          "database " + shown(settings.url()) + ": cannot migrate the schema: " + e.getMessage(),
          e);
    }
    return new Database(pool);
  }

  /** {@code url} without a password given as one of its parameters. */
  static String shown(String url) {
    return dev.berth.config.DatabaseConfig.shown(url);
  }

  /** Work on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /** Runs {@code work} on a connection of the pool, in autocommit mode. */
  public <T> T run(String what, Work<T> work) throws DatabaseException {
    return onConnection(what, work);
  }

  /** Fails unless the database answers a query. */
  public void check() throws DatabaseException {
    query("answer", "SELECT 1", r -> r.getInt(1));
  }

  /** Reads one row of a result. */
  @FunctionalInterface
  public interface Row<T> {
    T read(ResultSet row) throws SQLException;
  }

  /** Runs the statement {@code sql} with {@code params}; returns the rows it changed. */
  public int update(String what, String sql, Object... params) throws DatabaseException {
    return run(
        what,
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            return s.executeUpdate();
          }
        });
  }

  /** Runs the query {@code sql} with {@code params}; returns its rows, each read by {@code row}. */
  public <T> List<T> query(String what, String sql, Row<T> row, Object... params)
      throws DatabaseException {
    return run(
        what,
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql)) {
            bind(s, params);
            List<T> rows = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
              while (r.next()) {
                rows.add(row.read(r));
              }
            }
            return rows;
          }
        });
  }

  /** Binds {@code params} in order; an {@link Instant} as a {@code timestamptz}. */
  public static void bind(PreparedStatement s, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      s.setObject(i + 1, p instanceof Instant t ? OffsetDateTime.ofInstant(t, ZoneOffset.UTC) : p);
    }
  }

  /** Runs {@code work} in one transaction: every write in it lands, or none does. */
  public <T> T transaction(String what, Work<T> work) throws DatabaseException {
    return onConnection(
        what,
        c -> {
          c.setAutoCommit(false);
          try {
            T result = work.run(c);
            c.commit();
            return result;
          } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
          } finally {
            c.setAutoCommit(true);
          }
        });
  }

  /**
   * Runs {@code work} on a pooled connection; when that connection turns out to be broken (the
   * database restarted since it was last used), once more on a fresh one. The pool drops a
   * connection that failed with a connection error, so the second try never meets the same one.
   */
  private <T> T onConnection(String what, Work<T> work) throws DatabaseException {
    for (int attempt = 1; ; attempt++) {
      try (Connection c = pool.getConnection()) {
        return work.run(c);
      } catch (SQLException e) {
        if (attempt == 1 && isConnectionLost(e)) {
          continue;
        }
        throw failed(what, e);
      }
    }
  }

  /** SQL state class 08: the connection failed, not the statement. */
  private static boolean isConnectionLost(SQLException e) {
    String state = e.getSQLState();
    return state != null && state.startsWith("08");
  }

  private static DatabaseException failed(String what, SQLException e) {
    return new DatabaseException("database: " + what + " failed: " + e.getMessage(), e);
  }

  @Override
  public void close() {
    pool.close();
  }
}
