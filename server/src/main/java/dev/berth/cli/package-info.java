/** The command line: {@code berth serve} and the commands that talk to a running Berth. */
@NullMarked
package dev.berth.cli;

import org.jspecify.annotations.NullMarked;
