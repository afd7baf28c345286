@NullMarked
package dev.berth.watch;

import org.jspecify.annotations.NullMarked;
