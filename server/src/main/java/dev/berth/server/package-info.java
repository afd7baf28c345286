@NullMarked
package dev.berth.server;

import org.jspecify.annotations.NullMarked;
