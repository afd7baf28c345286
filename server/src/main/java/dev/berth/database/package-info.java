/**
 * Berth's state in PostgreSQL: tag records, tag lists and repository membership, behind the storage
 * interfaces, in a schema Flyway migrates (under {@code dev/berth/database/migration}).
 */
@NullMarked
package dev.berth.database;

import org.jspecify.annotations.NullMarked;
