@NullMarked
package dev.berth.upstream.auth;

import org.jspecify.annotations.NullMarked;
