"""The rules of assessments (product.md: Grades, assessment and absence).

Teachers of a teaching group assess its pupils; grades (1–6, IV, fritatt)
only from grade 8, comments for all. Pupils and guardians see an item once
it is published; publishing pushes `assessment_published` exactly once.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from backend.access.audience import pupil_audiences
from backend.access.policy import PupilAccess
from backend.assessments import queries as q
from backend.audit_log.staff_reads import record_staff_read
from backend.problems.codes import Code
from backend.problems.errors import Forbidden, Invalid, NotFound
from backend.schools.localtime import local_now
from backend.schools.years import first_year_of
from notifications.kinds import Kind
from notifications.outbox import notify
from schemas.assessments import (
    Assessment,
    AssessmentCreate,
    AssessmentCreated,
    AssessmentKind,
    SubjectAssessments,
)

log = logging.getLogger("skolebro.assessments")

FIRST_GRADED_LEVEL = 8  # grades 1–7 get comments only
MAX_SCHEDULE_DAYS = 366
_NEEDS_GRADE = frozenset({AssessmentKind.half_year, AssessmentKind.final, AssessmentKind.exam})


def _check_content(data: AssessmentCreate, level: int) -> None:
    has_comment = data.comment is not None and data.comment.strip() != ""
    if level < FIRST_GRADED_LEVEL:
        if data.grade is not None:
            raise Invalid(Code.ASSESSMENT_GRADE_NOT_ALLOWED, field="grade", grade=level)
        if not has_comment:
            raise Invalid(Code.ASSESSMENT_COMMENT_REQUIRED, field="comment")
        return
    if data.kind is AssessmentKind.formative and not has_comment:
        raise Invalid(Code.ASSESSMENT_COMMENT_REQUIRED, field="comment")
    if data.kind in _NEEDS_GRADE and data.grade is None:
        raise Invalid(Code.ASSESSMENT_GRADE_REQUIRED, field="grade")


def _publication(data: AssessmentCreate, now: datetime) -> datetime:
    """When the item becomes visible: now, or the scheduled instant."""
    if data.publish_at is None:
        return now
    if data.publish_at.tzinfo is None:
        raise Invalid(Code.ASSESSMENT_PUBLISH_AT_OFFSET, field="publish_at")
    try:
        data.publish_at.astimezone(UTC)
    except OverflowError as exc:
        # Year 1 at +14:00 lies before year 1 in UTC: no instant anything can store.
        raise Invalid(Code.REQUEST_INVALID, field="publish_at") from exc
    if data.publish_at > now + timedelta(days=MAX_SCHEDULE_DAYS):
        raise Invalid(Code.ASSESSMENT_PUBLISH_TOO_FAR, field="publish_at", days=MAX_SCHEDULE_DAYS)
    return max(now, data.publish_at)


async def create_assessment(
    conn: asyncpg.Connection,
    teacher: uuid.UUID,
    group_id: uuid.UUID,
    data: AssessmentCreate,
    now: datetime,
) -> AssessmentCreated:
    """Record an assessment; an immediate one is pushed in the same transaction.

    Runs inside the caller's transaction. A group the caller does not work in
    at that school does not exist for them (404); school staff who do not
    teach the group may see it exists but not assess in it (403).
    """
    group = await conn.fetchrow(q.GROUP_FOR_POST, group_id, teacher, data.pupil_id, now)
    if group is None or not group["is_school_staff"]:
        raise NotFound()
    if not group["is_teacher"]:
        raise Forbidden(Code.ASSESSMENT_NOT_GROUP_TEACHER)
    # A pupil id in the body is not an object of the path: a wrong one is a
    # validation error of the request (422), the group itself is visible.
    if group["pupil_grade"] is None:
        raise Invalid(Code.ASSESSMENT_PUPIL_NOT_IN_GROUP, field="pupil_id")
    _check_content(data, group["pupil_grade"])
    published_at = _publication(data, now)
    immediate = published_at <= now

    assessment_id = uuid.uuid4()
    comment = data.comment if data.comment and data.comment.strip() else None
    await conn.execute(
        q.INSERT_ASSESSMENT,
        assessment_id,
        group["school_id"],
        group_id,
        data.pupil_id,
        teacher,
        data.kind.value,
        data.grade,
        comment,
        now,
        data.publish_at,
        published_at,
        now if immediate else None,
    )
    if immediate:
        await push_published(conn, [(assessment_id, data.pupil_id, group["subject"])], now)
    log.info(
        "assessment %s (%s%s) for pupil %s in group %s by %s, %s",
        assessment_id,
        data.kind.value,
        f" grade {data.grade}" if data.grade else "",
        data.pupil_id,
        group_id,
        teacher,
        "published" if immediate else f"scheduled for {published_at.isoformat()}",
    )
    return AssessmentCreated(
        id=assessment_id,
        pupil_id=data.pupil_id,
        group_id=group_id,
        subject=group["subject"],
        kind=data.kind,
        grade=data.grade,
        comment=comment,
        publish_at=data.publish_at,
        published_at=published_at,
        published=immediate,
        teacher_name=group["teacher_name"],
    )


async def push_published(
    conn: asyncpg.Connection, items: list[tuple[uuid.UUID, uuid.UUID, str]], now: datetime
) -> int:
    """Push `assessment_published` to each pupil and their guardians with access."""
    audiences = await pupil_audiences(conn, [pupil for _, pupil, _ in items], now)
    pushed = 0
    for assessment_id, pupil_id, subject in items:
        audience = audiences.get(pupil_id)
        if audience is None:
            continue
        await notify(
            conn,
            recipients=audience.recipients,
            kind=Kind.assessment_published,
            data={"pupil_id": str(pupil_id), "assessment_id": str(assessment_id)},
            params={"pupil": audience.pupil_name, "subject": subject},
            now=now,
        )
        pushed += len(audience.recipients)
    return pushed


async def list_for_pupil(
    conn: asyncpg.Connection,
    access: PupilAccess,
    viewer: uuid.UUID,
    school_year: str | None,
    now: datetime,
) -> list[SubjectAssessments]:
    """A pupil's assessments per subject, as far as the viewer may see them.

    Pupils and guardians see published items of every subject; staff also
    see scheduled ones, but a subject teacher only in their own subjects
    (the contact teacher and school leaders see all of them).
    """
    subjects = None if access.all_subjects else list(access.subjects)
    rows = await conn.fetch(
        q.LIST_FOR_PUPIL,
        access.pupil_id,
        access.reading_school_id,
        first_year_of(school_year),
        now,
        access.is_staff,
        subjects,
    )
    await record_staff_read(conn, access, viewer, "assessments.read", now)
    result: list[SubjectAssessments] = []
    for row in rows:
        if not result or result[-1].group_id != row["group_id"]:
            result.append(SubjectAssessments(subject=row["subject"], group_id=row["group_id"], items=[]))
        result[-1].items.append(
            Assessment(
                id=row["id"],
                kind=AssessmentKind(row["kind"]),
                grade=row["grade"],
                comment=row["comment"],
                published_at=local_now(row["published_at"], access.timezone),
                published=row["published"],
                teacher_name=row["teacher_name"],
            )
        )
    return result
