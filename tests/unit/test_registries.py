"""The registries newcomers extend: notification kinds, settings. Pure, no database."""

from __future__ import annotations

from pathlib import Path

from backend.app.settings import Settings
from notifications.kinds import Category, Kind
from notifications.push_texts import TEMPLATES, render


def test_every_notification_kind_has_texts_in_three_languages():
    assert set(TEMPLATES) == {k.value for k in Kind}
    for kind in Kind:
        assert set(TEMPLATES[kind]) == {"nb", "nn", "en"}, kind
        assert all(title and body for title, body in TEMPLATES[kind].values()), kind


def test_only_missing_pupil_alerts_are_urgent_and_they_have_no_switch():
    assert {k for k in Kind if k.urgent} == {
        Kind.missing_pupil,
        Kind.missing_pupil_escalation,
        Kind.call_guardians,
        Kind.missing_pupil_summary,
    }
    assert all(k.category is None for k in Kind if k.urgent)
    assert {k for k in Kind if k.reminder} == {Kind.absence_check_reminder, Kind.still_sick}
    assert Kind.message.category is Category.messages


def test_texts_render_for_a_kind_given_as_enum():
    title, _ = render(Kind.message, "en", {"sender": "Kari", "pupil": "Ola"})
    assert title


def test_an_empty_environment_gives_the_declared_defaults():
    assert Settings.from_env({}) == Settings()


def test_a_setting_from_the_environment_overrides_only_its_field():
    s = Settings.from_env(
        {"SKOLEBRO_POOL_SIZE": "3", "SKOLEBRO_DATA_DIR": "/srv/skolebro", "SKOLEBRO_TOKEN_ISSUER": ""}
    )
    assert s.database.pool_max_size == 3
    assert s.data_dir == Path("/srv/skolebro")
    assert s.tokens.issuer == Settings().tokens.issuer


def test_the_wire_enum_of_notification_kinds_is_the_kinds_the_service_sends():
    # notifications.kinds.Kind carries each kind's traits; schemas' NotificationKind is
    # what the OpenAPI document and generated clients see. They must not drift apart.
    from notifications.kinds import Kind
    from schemas.notifications import NotificationKind

    assert {k.value for k in Kind} == {k.value for k in NotificationKind}
