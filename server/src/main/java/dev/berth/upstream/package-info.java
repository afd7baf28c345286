@NullMarked
package dev.berth.upstream;

import org.jspecify.annotations.NullMarked;
