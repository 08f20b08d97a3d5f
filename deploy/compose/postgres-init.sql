-- One database per service, created on the PostgreSQL container's first start
-- (docker-entrypoint-initdb.d). Each service owns its schema through its own migrations.
CREATE DATABASE srs_accreditation;
CREATE DATABASE srs_projects;
CREATE DATABASE srs_clearance;
CREATE DATABASE srs_access;
CREATE DATABASE srs_booking;
CREATE DATABASE srs_ops;
CREATE DATABASE srs_notify;
CREATE DATABASE srs_portal;
