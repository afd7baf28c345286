package dev.berth.database;

/**
 * Where the PostgreSQL database is and how to log in.
 *
 * @param url its JDBC URL, e.g. {@code jdbc:postgresql://db.internal:5432/berth}
 * @param user the role to log in as
 * @param password that role's password; empty for none (trust or certificate login)
 * @param poolSize the most connections held open
 */
public record DatabaseSettings(String url, String user, String password, int poolSize) {
  @Override
  public String toString() {
    return "DatabaseSettings[url="
        + Database.shown(url)
        + ", user="
        + user
        + ", poolSize="
        + poolSize
        + "]";
  }
}
