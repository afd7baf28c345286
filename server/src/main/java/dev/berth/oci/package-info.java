/**
 * What the OCI distribution and image specs define, read once: digests, repository names, image
 * references and Docker Hub's names for itself, manifests (what they name, and the form a pushed
 * one must have), platforms and media types. Values here are never null unless marked.
 */
@NullMarked
package dev.berth.oci;

import org.jspecify.annotations.NullMarked;
