@NullMarked
package dev.berth.access;

import org.jspecify.annotations.NullMarked;
