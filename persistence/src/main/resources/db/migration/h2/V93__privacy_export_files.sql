-- The bundles of export jobs (docs/privacy.md, "Export jobs"), encrypted under a data subject of
-- their own ("export-<request id>"); deleted when their download link expires.
CREATE TABLE privacy_export_files (
  request_id VARCHAR(36) PRIMARY KEY,
  tenant_id VARCHAR(36) NOT NULL,
  subject_id VARCHAR(64) NOT NULL,
  content CHARACTER LARGE OBJECT NOT NULL,
  size_bytes BIGINT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX privacy_export_files_expiry_idx ON privacy_export_files (expires_at);
