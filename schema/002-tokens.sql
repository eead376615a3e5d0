-- 002-tokens.sql - bearer tokens for HTTP push (iommu-collector token,
-- serve).  Only a SHA-256 of each token is kept; token_id is the token's
-- public prefix, used to find the row before the constant-time compare.

CREATE TABLE tokens (
	id INTEGER PRIMARY KEY,
	host TEXT NOT NULL,           -- the identity a push with this token gets
	token_id TEXT NOT NULL UNIQUE,
	token_hash TEXT NOT NULL,     -- lowercase hex SHA-256 of the whole token
	created_at TEXT NOT NULL,
	revoked_at TEXT               -- NULL while valid
);
CREATE INDEX tokens_host ON tokens (host);
