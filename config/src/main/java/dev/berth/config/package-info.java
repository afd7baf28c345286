/** Berth's YAML configuration: its records, value types, defaults and errors that name the key. */
@NullMarked
package dev.berth.config;

import org.jspecify.annotations.NullMarked;
