/**
 * The errors Berth answers with and the upstream failures it sees: the OCI error table, the one
 * exception the registry services throw, and an upstream's failure. A leaf: it depends on nothing
 * of Berth's, so every other package may use it without a cycle.
 */
@NullMarked
package dev.berth.errors;

import org.jspecify.annotations.NullMarked;
