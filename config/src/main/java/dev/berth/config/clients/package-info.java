/** The client configurations {@code berth client-config} writes and {@code berth doctor} reads. */
@NullMarked
package dev.berth.config.clients;

import org.jspecify.annotations.NullMarked;
