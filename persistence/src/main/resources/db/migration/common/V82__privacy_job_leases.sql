-- Cluster-wide jobs that must run on one node at a time (the retention job): a node holds the
-- lease until lease_until and renews it while it works; another node takes it once it lapses.
CREATE TABLE privacy_job_leases (
  job VARCHAR(64) PRIMARY KEY,
  owner VARCHAR(200) NOT NULL,
  lease_until TIMESTAMP WITH TIME ZONE NOT NULL
);
