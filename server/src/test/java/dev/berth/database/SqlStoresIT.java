package dev.berth.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.oci.Digest;
import dev.berth.storage.MemberStore;
import dev.berth.storage.MemberStoreContract;
import dev.berth.storage.TagRecord;
import dev.berth.storage.TagStore;
import dev.berth.storage.TagStoreContract;
import dev.berth.testing.Postgres;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL stores against a real server (Debian's PostgreSQL, a cluster of the test's own):
 * the tag and membership contracts, the schema Flyway makes, and what is served while the database
 * is away.
 */
class SqlStoresIT {
  private static Postgres postgres;
  private static final List<Database> opened = new ArrayList<>();

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = Postgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    opened.forEach(Database::close);
    postgres.close();
  }

  static Database open(String name) throws DatabaseException {
    Database db = Database.open(new DatabaseSettings(postgres.url(name), Postgres.USER, "", 4));
    opened.add(db);
    return db;
  }

  @Nested
  class Tags extends TagStoreContract {
    private String name;

    @BeforeEach
    void newDatabase() throws Exception {
      name = postgres.newDatabase();
    }

    @Override
    protected TagStore newStore() throws Exception {
      return new SqlTagStore(open(name), Duration.ofMinutes(1));
    }

    @Override
    protected TagStore reopen(TagStore store) throws Exception {
      return newStore();
    }
  }

  @Nested
  class Members extends MemberStoreContract {
    private String name;

    @BeforeEach
    void newDatabase() throws Exception {
      name = postgres.newDatabase();
    }

    @Override
    protected MemberStore newStore() throws Exception {
      return new SqlMemberStore(open(name), Duration.ofMinutes(1));
    }

    @Override
    protected MemberStore reopen(MemberStore store) throws Exception {
      return newStore();
    }
  }

  @Test
  void evictionsFromTwoReplicasAtOnceNeverTakeTheSameBlobAndKeepPinsAndTheNewest()
      throws Exception {
    String name = postgres.newDatabase();
    SqlBlobLedger one = new SqlBlobLedger(open(name));
    SqlBlobLedger two = new SqlBlobLedger(open(name));
    List<Digest> blobs = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Digest d = Digest.sha256(("blob " + i).getBytes(StandardCharsets.UTF_8));
      blobs.add(d);
      // Every tenth pinned, 1,000 bytes each: 200,000 in all, 20,000 of them pinned.
      one.add(d, 1_000, i % 10 == 0);
    }

    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    List<SqlBlobLedger.Entry> taken = new ArrayList<>();
    try {
      var first = pool.submit(() -> one.evictBeyond(50_000));
      var second = pool.submit(() -> two.evictBeyond(50_000));
      taken.addAll(first.get());
      taken.addAll(second.get());
    } finally {
      pool.shutdown();
    }

    assertThat(taken).doesNotHaveDuplicates().noneMatch(SqlBlobLedger.Entry::pinned);
    assertThat(one.total()).isLessThanOrEqualTo(50_000).isEqualTo(200_000 - 1_000L * taken.size());
    // Least recently used first: the newest unpinned blob and every pinned one stay.
    assertThat(one.get(blobs.get(199))).isPresent();
    for (int i = 0; i < 200; i += 10) {
      assertThat(one.get(blobs.get(i))).as("pinned blob %d", i).isPresent();
    }
    assertThat(one.get(blobs.get(1))).isEmpty();
  }

  @Test
  void theSchemaIsMigratedOnceAndOpeningAgainChangesNothing() throws Exception {
    String name = postgres.newDatabase();
    open(name);
    List<String> first = migrations(name);
    open(name);
    assertThat(first).isNotEmpty().allMatch(m -> m.endsWith(":true")).startsWith("1:true");
    assertThat(migrations(name)).isEqualTo(first);
  }

  private List<String> migrations(String name) throws Exception {
    try (Connection c = DriverManager.getConnection(postgres.url(name), Postgres.USER, "");
        ResultSet r =
            c.createStatement()
                .executeQuery(
                    "SELECT version, success FROM flyway_schema_history"
                        + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
      List<String> applied = new ArrayList<>();
      while (r.next()) {
        applied.add(r.getString(1) + ":" + r.getBoolean(2));
      }
      return applied;
    }
  }

  @Nested
  class WhileTheDatabaseIsAway {
    @AfterEach
    void startAgain() {
      postgres.restart();
    }

    @Test
    void recentRecordsAreServedFromMemoryAndTheRestFailNamingTheDatabase() throws Exception {
      Database db = open(postgres.newDatabase());
      SqlTagStore tags = new SqlTagStore(db, Duration.ofMinutes(1));
      SqlMemberStore members = new SqlMemberStore(db, Duration.ofMinutes(1));
      Digest digest = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));
      TagRecord record =
          new TagRecord(digest, "application/vnd.oci.image.index.v1+json", Instant.EPOCH);
      tags.put("docker.io", "library/alpine", "3.20", record);
      members.put("docker.io", "library/alpine", digest, MemberStore.BLOB);

      postgres.stop();

      assertThat(tags.get("docker.io", "library/alpine", "3.20")).contains(record);
      assertThat(members.get("docker.io", "library/alpine", digest)).contains(MemberStore.BLOB);
      assertThatThrownBy(() -> tags.get("docker.io", "library/alpine", "3.21"))
          .isInstanceOf(DatabaseException.class)
          .hasMessageStartingWith("database: read tag 3.21 failed");
      assertThatThrownBy(
              () -> members.put("docker.io", "library/busybox", digest, MemberStore.BLOB))
          .isInstanceOf(DatabaseException.class);

      postgres.restart();
      // Back by itself: the pool makes new connections.
      members.put("docker.io", "library/busybox", digest, MemberStore.BLOB);
      assertThat(
              new SqlMemberStore(db, Duration.ofMinutes(1))
                  .get("docker.io", "library/busybox", digest))
          .contains(MemberStore.BLOB);
    }
  }
}
