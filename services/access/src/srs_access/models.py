"""Every ORM model of the access service."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from srs_common.db import UTCDateTime, naming_metadata, utcnow
from srs_common.events.tables import messaging_tables


class Base(DeclarativeBase):
    metadata = naming_metadata()


messaging = messaging_tables(Base.metadata)


class Dataset(Base):
    """A catalogued de-identified dataset and the settings its owner permits."""

    __tablename__ = "dataset"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(200))
    # 1 safe room / SafePod only; 2 also AOC office; 3 also home.
    access_level: Mapped[int] = mapped_column(Integer)
    disclosure_threshold: Mapped[int] = mapped_column(Integer, default=10)
    operational_id_columns: Mapped[list[str]] = mapped_column(JSON, default=list)


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    aoc_certified_until: Mapped[dt.date | None] = mapped_column(Date)
    legacy_remote_access: Mapped[bool] = mapped_column(Boolean, default=False)


class ProjectSpace(Base):
    __tablename__ = "project_space"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    dataset_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Account(Base):
    """A researcher's data account on one project space."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("project_id", "researcher_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(40), index=True)
    researcher_id: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    """A login of the embedded identity provider (production uses an external OIDC)."""

    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    password_hash: Mapped[str] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(JSON)
    researcher_id: Mapped[str | None] = mapped_column(String(100))
    organisation_id: Mapped[str | None] = mapped_column(String(100))
