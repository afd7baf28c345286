package dev.berth.upstream.auth;

/**
 * What a token is good for: a realm, a service, a scope and the identity it was asked for.
 * Anonymous tokens have the identity {@code ""}.
 */
public record TokenKey(String realm, String service, String scope, String identity) {}
