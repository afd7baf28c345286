package dev.berth.bench;

/** A benchmark that cannot go on: a peer that does not start, or an answer that is wrong. */
final class BenchException extends RuntimeException {
  BenchException(String message) {
    super(message);
  }

  BenchException(String message, Throwable cause) {
    super(message, cause);
  }
}
