@NullMarked
package dev.berth.prefetch;

import org.jspecify.annotations.NullMarked;
