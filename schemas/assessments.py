"""Assessments and grades (api.md: Assessments and grades)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

import msgspec


class AssessmentKind(StrEnum):
    formative = "formative"  # underveisvurdering
    half_year = "half_year"
    final = "final"  # standpunkt
    exam = "exam"


# 1–6, IV (not assessable) and fritatt (exempt); anything else is a 422 at the edge.
Grade = Literal["1", "2", "3", "4", "5", "6", "IV", "fritatt"]
Comment = Annotated[str, msgspec.Meta(max_length=2000, description="at most 2000 characters")]


class AssessmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    pupil_id: uuid.UUID
    kind: AssessmentKind
    grade: Grade | None = None
    comment: Comment | None = None
    publish_at: Annotated[
        datetime | None,
        msgspec.Meta(description="RFC 3339 with offset; absent or past = publish at once"),
    ] = None


class Assessment(msgspec.Struct, omit_defaults=True):
    """One item. `published` is false only for staff looking at a scheduled item,
    whose `published_at` is then the instant it will be published."""

    id: uuid.UUID
    kind: AssessmentKind
    published_at: datetime
    published: bool
    teacher_name: str
    grade: Grade | None = None
    comment: str | None = None


class SubjectAssessments(msgspec.Struct):
    subject: str
    group_id: uuid.UUID
    items: list[Assessment]


class AssessmentCreated(msgspec.Struct):
    id: uuid.UUID
    pupil_id: uuid.UUID
    group_id: uuid.UUID
    subject: str
    kind: AssessmentKind
    grade: Grade | None
    comment: str | None
    publish_at: datetime | None
    published_at: datetime
    published: bool
    teacher_name: str
