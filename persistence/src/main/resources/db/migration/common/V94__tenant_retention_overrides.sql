-- A tenant's own retention periods for the data classes that allow it, within the platform's
-- limits (docs/privacy.md, "Retention"); a class without a row keeps the platform default.
CREATE TABLE tenant_retention_overrides (
  tenant_id VARCHAR(36) NOT NULL REFERENCES tenants(id),
  data_class VARCHAR(32) NOT NULL,
  days INTEGER NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (tenant_id, data_class)
);
