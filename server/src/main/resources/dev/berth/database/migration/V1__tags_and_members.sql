-- Berth's state. Each migration is backward compatible with the release before it: tables and
-- columns are added (nullable or with a default), never renamed or dropped while a release reads
-- them, so replicas of two versions can share the database during a rolling upgrade.

-- What each tag pointed to when Berth last asked its upstream, or when it was pushed.
CREATE TABLE tags (
  registry   text        NOT NULL,
  repository text        NOT NULL,
  tag        text        NOT NULL,
  digest     text        NOT NULL,
  media_type text        NOT NULL,
  checked_at timestamptz NOT NULL,
  PRIMARY KEY (registry, repository, tag)
);

-- The last tag list an upstream answered to each query, for stale serving.
CREATE TABLE tag_lists (
  registry   text  NOT NULL,
  repository text  NOT NULL,
  query      text  NOT NULL,
  body       bytea NOT NULL,
  link       text,
  PRIMARY KEY (registry, repository, query)
);

-- Repository membership: content is served only to a repository that holds it. The media type is
-- empty for a blob, the type the repository serves a manifest as otherwise.
CREATE TABLE members (
  registry   text NOT NULL,
  repository text NOT NULL,
  digest     text NOT NULL,
  media_type text NOT NULL,
  PRIMARY KEY (registry, repository, digest)
);
