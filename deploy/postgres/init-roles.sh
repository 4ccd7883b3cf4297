#!/usr/bin/env bash
# First start of the compose PostgreSQL only (docker-entrypoint-initdb.d): one role per purpose, none of them the
# superuser the image creates.
#   crm_owner    owns the crm database's schema: the one-shot `crm-migrate` job runs the migrations with it (DDL).
#   crm_app      what the CRM backend connects as: reads and writes rows, cannot change the schema.
#   temporal     owns Temporal's two databases (temporal, temporal_visibility); the schema job sets them up.
set -euo pipefail
: "${CRM_OWNER_PASSWORD:?}" "${CRM_APP_PASSWORD:?}" "${TEMPORAL_DB_PASSWORD:?}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v crm_owner_password="$CRM_OWNER_PASSWORD" -v crm_app_password="$CRM_APP_PASSWORD" -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE crm_owner LOGIN PASSWORD :'crm_owner_password';
CREATE ROLE crm_app LOGIN PASSWORD :'crm_app_password';
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
CREATE DATABASE crm OWNER crm_owner;
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
REVOKE ALL ON DATABASE crm FROM PUBLIC;
GRANT CONNECT ON DATABASE crm TO crm_app;
SQL

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname crm <<'SQL'
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO crm_owner;
GRANT USAGE ON SCHEMA public TO crm_app;
-- Every table and sequence the migrations create: rows only, for the backend.
ALTER DEFAULT PRIVILEGES FOR ROLE crm_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO crm_app;
ALTER DEFAULT PRIVILEGES FOR ROLE crm_owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO crm_app;
SQL
