-- The type each manifest was first stored with; its bytes are in the object store under its digest.
-- A row is written only after the bytes, so a row always names bytes that are there.
CREATE TABLE manifests (
  digest     text NOT NULL PRIMARY KEY,
  media_type text NOT NULL
);

-- The manifests pushed with a subject, per repository: their descriptors, for the referrers API.
CREATE TABLE referrers (
  registry   text NOT NULL,
  repository text NOT NULL,
  subject    text NOT NULL,
  referrer   text NOT NULL,
  descriptor text NOT NULL,
  PRIMARY KEY (registry, repository, subject, referrer)
);

-- Content deleted from one local repository (hidden there; the bytes may serve others).
CREATE TABLE deletions (
  registry   text NOT NULL,
  repository text NOT NULL,
  digest     text NOT NULL,
  PRIMARY KEY (registry, repository, digest)
);

-- The forwarding journal: one record per forward, whose content is the forwarder's business.
CREATE TABLE forwards (
  id         text        NOT NULL PRIMARY KEY,
  record     bytea       NOT NULL,
  written_at timestamptz NOT NULL DEFAULT now()
);

-- Upload sessions: how many bytes each holds (its chunks are objects in the object store) and
-- when it last received one.
CREATE TABLE uploads (
  id         text        NOT NULL PRIMARY KEY,
  size       bigint      NOT NULL,
  written_at timestamptz NOT NULL
);
