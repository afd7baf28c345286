@NullMarked
package dev.berth.metrics;

import org.jspecify.annotations.NullMarked;
