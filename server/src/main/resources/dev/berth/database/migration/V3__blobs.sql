-- The blobs the object store holds, for the budget: each one's size, whether it is pinned (never
-- evicted), and when it was last used (the least recently used go first). A row is written after
-- its object and deleted before it. Releases before this one kept pins as marker objects under
-- pins/ in the bucket; the first start on this table fills it from the bucket.
CREATE TABLE blobs (
  digest  text        NOT NULL PRIMARY KEY,
  size    bigint      NOT NULL,
  pinned  boolean     NOT NULL DEFAULT false,
  used_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX blobs_by_use ON blobs (used_at) WHERE NOT pinned;
