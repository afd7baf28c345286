@NullMarked
package dev.berth.push;

import org.jspecify.annotations.NullMarked;
