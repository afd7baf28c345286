/** {@code berth doctor}: checks of a build host's client configuration against Berth. */
@NullMarked
package dev.berth.doctor;

import org.jspecify.annotations.NullMarked;
