@NullMarked
package dev.berth.bundle;

import org.jspecify.annotations.NullMarked;
