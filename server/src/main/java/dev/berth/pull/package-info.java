@NullMarked
package dev.berth.pull;

import org.jspecify.annotations.NullMarked;
