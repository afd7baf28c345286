/**
 * Which repository, and which upstream, a request names: a {@code /v2/} path and its {@code ns}
 * parsed once into a route, its reference and its target. Values here are never null unless marked.
 */
@NullMarked
package dev.berth.routing;

import org.jspecify.annotations.NullMarked;
