/**
 * The schema, as an ordered list of migrations. Append only: a released migration is
 * never edited or reordered, because databases in the field have already run it. Each
 * runs in its own transaction together with its row in `schema_migrations`.
 *
 * Conventions: STRICT tables; times are epoch milliseconds (INTEGER); every IAM, STS and
 * EKS entity table carries `account_id`, and child rows (tags, versions, attachments,
 * inline policies, signing keys) reach their account through their parent's foreign key.
 */
export interface Migration {
  /** 1, 2, 3, ... with no gaps. */
  readonly version: number
  /** A short description, kept in `schema_migrations`. */
  readonly name: string
  readonly sql: string
}

const INITIAL = `
CREATE TABLE accounts (
  id TEXT PRIMARY KEY CHECK (length(id) = 12 AND id NOT GLOB '*[^0-9]*'),
  alias TEXT UNIQUE,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE access_keys (
  access_key_id TEXT PRIMARY KEY CHECK (length(access_key_id) BETWEEN 16 AND 128),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  secret_access_key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
  principal_arn TEXT NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX access_keys_account ON access_keys(account_id);

CREATE TABLE server_secrets (
  name TEXT PRIMARY KEY,
  value BLOB NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE roles (
  pk INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  role_id TEXT NOT NULL UNIQUE,
  arn TEXT NOT NULL UNIQUE,
  assume_role_policy TEXT NOT NULL,
  description TEXT,
  max_session_duration INTEGER NOT NULL,
  permissions_boundary_arn TEXT,
  created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX roles_account_name ON roles(account_id, name COLLATE NOCASE);
CREATE INDEX roles_boundary ON roles(permissions_boundary_arn)
  WHERE permissions_boundary_arn IS NOT NULL;

CREATE TABLE role_tags (
  seq INTEGER PRIMARY KEY,
  owner_pk INTEGER NOT NULL REFERENCES roles(pk) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX role_tags_key ON role_tags(owner_pk, key COLLATE NOCASE);

CREATE TABLE policies (
  pk INTEGER PRIMARY KEY,
  account_id TEXT REFERENCES accounts(id),
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  policy_id TEXT NOT NULL UNIQUE,
  arn TEXT NOT NULL UNIQUE,
  description TEXT,
  default_version INTEGER NOT NULL,
  next_version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  FOREIGN KEY (pk, default_version) REFERENCES policy_versions(policy_pk, version)
    DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE UNIQUE INDEX policies_account_name ON policies(ifnull(account_id, 'aws'), name COLLATE NOCASE);

CREATE TABLE policy_versions (
  policy_pk INTEGER NOT NULL REFERENCES policies(pk) ON DELETE CASCADE,
  version INTEGER NOT NULL CHECK (version >= 1),
  document TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (policy_pk, version)
) STRICT;

CREATE TABLE policy_tags (
  seq INTEGER PRIMARY KEY,
  owner_pk INTEGER NOT NULL REFERENCES policies(pk) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX policy_tags_key ON policy_tags(owner_pk, key);

CREATE TABLE role_policy_attachments (
  role_pk INTEGER NOT NULL REFERENCES roles(pk) ON DELETE RESTRICT,
  policy_pk INTEGER NOT NULL REFERENCES policies(pk) ON DELETE RESTRICT,
  attached_at INTEGER NOT NULL,
  PRIMARY KEY (role_pk, policy_pk)
) STRICT;
CREATE INDEX role_policy_attachments_policy ON role_policy_attachments(policy_pk);

CREATE TABLE role_inline_policies (
  role_pk INTEGER NOT NULL REFERENCES roles(pk) ON DELETE RESTRICT,
  name TEXT NOT NULL,
  document TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (role_pk, name)
) STRICT;

CREATE TABLE oidc_providers (
  pk INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  url TEXT NOT NULL,
  arn TEXT NOT NULL UNIQUE,
  client_ids TEXT NOT NULL CHECK (json_valid(client_ids) AND json_type(client_ids) = 'array'),
  thumbprints TEXT NOT NULL CHECK (json_valid(thumbprints) AND json_type(thumbprints) = 'array'),
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, url)
) STRICT;

CREATE TABLE oidc_provider_tags (
  seq INTEGER PRIMARY KEY,
  owner_pk INTEGER NOT NULL REFERENCES oidc_providers(pk) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX oidc_provider_tags_key ON oidc_provider_tags(owner_pk, key);

CREATE TABLE clusters (
  pk INTEGER PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  region TEXT NOT NULL,
  name TEXT NOT NULL,
  arn TEXT NOT NULL UNIQUE,
  issuer_id TEXT NOT NULL UNIQUE
    CHECK (length(issuer_id) = 32 AND issuer_id NOT GLOB '*[^0-9A-F]*'),
  issuer_url TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (account_id, region, name)
) STRICT;

CREATE TABLE cluster_signing_keys (
  cluster_pk INTEGER NOT NULL REFERENCES clusters(pk) ON DELETE CASCADE,
  kid TEXT NOT NULL CHECK (length(kid) BETWEEN 1 AND 128 AND kid NOT GLOB '*[^A-Za-z0-9_-]*'),
  alg TEXT NOT NULL,
  public_pem TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  signing_started_at INTEGER,
  signing_ended_at INTEGER,
  retired_at INTEGER,
  PRIMARY KEY (cluster_pk, kid)
) STRICT;
CREATE UNIQUE INDEX cluster_signing_keys_current ON cluster_signing_keys(cluster_pk)
  WHERE signing_started_at IS NOT NULL AND signing_ended_at IS NULL;

CREATE TABLE decisions (
  seq INTEGER PRIMARY KEY,
  request_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  account_id TEXT,
  principal TEXT,
  action TEXT NOT NULL,
  resource TEXT,
  decision TEXT NOT NULL,
  error_code TEXT,
  reasons TEXT NOT NULL CHECK (json_valid(reasons))
) STRICT;
CREATE INDEX decisions_request_id ON decisions(request_id);
CREATE INDEX decisions_at ON decisions(at);
`

/**
 * Version 2: the local clusters' Kubernetes objects (Namespaces, ServiceAccounts, Pods)
 * as JSON, and a resourceVersion counter per cluster. Namespaces have namespace ''.
 */
const KUBE_OBJECTS = `
CREATE TABLE kube_objects (
  pk INTEGER PRIMARY KEY,
  cluster_pk INTEGER NOT NULL REFERENCES clusters(pk) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('Namespace', 'ServiceAccount', 'Pod')),
  namespace TEXT NOT NULL CHECK ((kind = 'Namespace') = (namespace = '')),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 253),
  uid TEXT NOT NULL UNIQUE,
  resource_version INTEGER NOT NULL CHECK (resource_version >= 1),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  object TEXT NOT NULL CHECK (json_valid(object) AND json_type(object) = 'object'),
  UNIQUE (cluster_pk, kind, namespace, name)
) STRICT;

CREATE TABLE kube_revisions (
  cluster_pk INTEGER PRIMARY KEY REFERENCES clusters(pk) ON DELETE CASCADE,
  revision INTEGER NOT NULL CHECK (revision >= 0)
) STRICT;
`

/**
 * Version 3: the kinds a local cluster's Kubernetes API serves besides Namespaces,
 * ServiceAccounts and Pods (ConfigMaps, Secrets, Events, apps/v1 Deployments). SQLite
 * cannot change a CHECK in place, so the table is rebuilt with every row kept.
 */
const KUBE_KINDS = `
CREATE TABLE kube_objects_v3 (
  pk INTEGER PRIMARY KEY,
  cluster_pk INTEGER NOT NULL REFERENCES clusters(pk) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('Namespace', 'ServiceAccount', 'Pod', 'ConfigMap', 'Secret',
                                     'Event', 'Deployment')),
  namespace TEXT NOT NULL CHECK ((kind = 'Namespace') = (namespace = '')),
  name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 253),
  uid TEXT NOT NULL UNIQUE,
  resource_version INTEGER NOT NULL CHECK (resource_version >= 1),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  object TEXT NOT NULL CHECK (json_valid(object) AND json_type(object) = 'object'),
  UNIQUE (cluster_pk, kind, namespace, name)
) STRICT;
INSERT INTO kube_objects_v3 SELECT * FROM kube_objects;
DROP TABLE kube_objects;
ALTER TABLE kube_objects_v3 RENAME TO kube_objects;
`

/**
 * Version 4: the change log watches read (ADDED, MODIFIED, DELETED with the object as it
 * was, one row per revision), written in the transaction of each object write, and the
 * revision up to which it was pruned (`compacted`: a watch from an older one is 410
 * Expired). A store from before has no history: its floor is its revision.
 */
const KUBE_CHANGES = `
CREATE TABLE kube_changes (
  cluster_pk INTEGER NOT NULL REFERENCES clusters(pk) ON DELETE CASCADE,
  revision INTEGER NOT NULL CHECK (revision >= 1),
  type TEXT NOT NULL CHECK (type IN ('ADDED', 'MODIFIED', 'DELETED')),
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  uid TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  object TEXT NOT NULL CHECK (json_valid(object)),
  PRIMARY KEY (cluster_pk, revision)
) STRICT, WITHOUT ROWID;
ALTER TABLE kube_revisions ADD COLUMN compacted INTEGER NOT NULL DEFAULT 0 CHECK (compacted >= 0);
UPDATE kube_revisions SET compacted = revision;
`

/**
 * Version 5: S3's buckets, objects, multipart uploads and parts. Object bytes live in
 * files under `DIR/s3/` (named by `data_file`), never in rows; the row is committed only
 * after its file is durable. Keys compare as bytes (BINARY collation on UTF-8), the order
 * S3 lists them in. ACLs, Block Public Access, headers, metadata and tags are JSON the
 * S3 component encodes and checks.
 */
const S3 = `
CREATE TABLE s3_buckets (
  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 3 AND 63),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  region TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  policy TEXT,
  public_access_block TEXT CHECK (public_access_block IS NULL OR json_valid(public_access_block)),
  ownership TEXT CHECK (ownership IN ('BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter')),
  acl TEXT NOT NULL CHECK (json_valid(acl))
) STRICT;
CREATE INDEX s3_buckets_account ON s3_buckets(account_id);

CREATE TABLE s3_objects (
  bucket TEXT NOT NULL REFERENCES s3_buckets(name),
  key TEXT NOT NULL CHECK (length(key) >= 1),
  size INTEGER NOT NULL CHECK (size >= 0),
  etag TEXT NOT NULL,
  content_type TEXT NOT NULL,
  headers TEXT NOT NULL CHECK (json_valid(headers)),
  metadata TEXT NOT NULL CHECK (json_valid(metadata)),
  last_modified INTEGER NOT NULL,
  checksum_algorithm TEXT CHECK (checksum_algorithm IN ('CRC32', 'CRC32C', 'SHA1', 'SHA256')),
  checksum_value TEXT CHECK ((checksum_algorithm IS NULL) = (checksum_value IS NULL)),
  parts_count INTEGER CHECK (parts_count IS NULL OR parts_count >= 1),
  data_file TEXT NOT NULL UNIQUE,
  owner_account_id TEXT NOT NULL,
  acl TEXT NOT NULL CHECK (json_valid(acl)),
  tags TEXT NOT NULL CHECK (json_valid(tags)),
  PRIMARY KEY (bucket, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE s3_uploads (
  upload_id TEXT PRIMARY KEY,
  bucket TEXT NOT NULL REFERENCES s3_buckets(name),
  key TEXT NOT NULL CHECK (length(key) >= 1),
  initiated_at INTEGER NOT NULL,
  initiator_arn TEXT NOT NULL,
  owner_account_id TEXT NOT NULL,
  content_type TEXT NOT NULL,
  headers TEXT NOT NULL CHECK (json_valid(headers)),
  metadata TEXT NOT NULL CHECK (json_valid(metadata)),
  checksum_algorithm TEXT CHECK (checksum_algorithm IN ('CRC32', 'CRC32C', 'SHA1', 'SHA256')),
  acl TEXT NOT NULL CHECK (json_valid(acl)),
  tags TEXT NOT NULL CHECK (json_valid(tags))
) STRICT;
CREATE INDEX s3_uploads_key ON s3_uploads(bucket, key, upload_id);

CREATE TABLE s3_parts (
  upload_id TEXT NOT NULL REFERENCES s3_uploads(upload_id) ON DELETE CASCADE,
  part_number INTEGER NOT NULL CHECK (part_number BETWEEN 1 AND 10000),
  size INTEGER NOT NULL CHECK (size >= 0),
  etag TEXT NOT NULL,
  last_modified INTEGER NOT NULL,
  checksum_algorithm TEXT CHECK (checksum_algorithm IN ('CRC32', 'CRC32C', 'SHA1', 'SHA256')),
  checksum_value TEXT CHECK ((checksum_algorithm IS NULL) = (checksum_value IS NULL)),
  data_file TEXT NOT NULL UNIQUE,
  PRIMARY KEY (upload_id, part_number)
) STRICT, WITHOUT ROWID;
`

/** Every migration, in order. The last one's version is the schema this code writes. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: INITIAL },
  { version: 2, name: 'kube objects', sql: KUBE_OBJECTS },
  { version: 3, name: 'kube kinds', sql: KUBE_KINDS },
  { version: 4, name: 'kube changes', sql: KUBE_CHANGES },
  { version: 5, name: 's3', sql: S3 },
]

/** The schema version this code creates and understands. */
export const SCHEMA_VERSION = MIGRATIONS.length
