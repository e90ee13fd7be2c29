"""Problem texts of the assessments domain (nb, nn, en)."""

from __future__ import annotations

from backend.texts import register_problems

register_problems(
    {
        "assessment.not_group_teacher": {
            "nb": ("Ikke din gruppe", "Bare lærere i undervisningsgruppen kan gi vurderinger i den."),
            "nn": ("Ikkje gruppa di", "Berre lærarar i undervisningsgruppa kan gi vurderingar i henne."),
            "en": ("Not your group", "Only teachers of the teaching group may assess in it."),
        },
        "assessment.pupil_not_in_group": {
            "nb": ("Eleven er ikke i gruppen", "Eleven er ikke med i denne undervisningsgruppen."),
            "nn": ("Eleven er ikkje i gruppa", "Eleven er ikkje med i denne undervisningsgruppa."),
            "en": ("Pupil not in group", "The pupil is not in this teaching group."),
        },
        "assessment.grade_not_allowed": {
            "nb": (
                "Karakter ikke tillatt",
                "Elever på {grade}. trinn får bare vurdering med kommentar, ikke karakter "
                "(karakterer gis fra 8. trinn).",
            ),
            "nn": (
                "Karakter ikkje tillate",
                "Elevar på {grade}. trinn får berre vurdering med kommentar, ikkje karakter "
                "(karakterar blir gitt frå 8. trinn).",
            ),
            "en": (
                "Grade not allowed",
                "Pupils in grade {grade} get comments only, no grades (grades start in grade 8).",
            ),
        },
        "assessment.comment_required": {
            "nb": ("Kommentar mangler", "Denne vurderingen må ha en kommentar."),
            "nn": ("Kommentar manglar", "Denne vurderinga må ha ein kommentar."),
            "en": ("Comment required", "This assessment needs a comment."),
        },
        "assessment.grade_required": {
            "nb": ("Karakter mangler", "Halvårs-, standpunkt- og eksamensvurdering må ha en karakter."),
            "nn": ("Karakter manglar", "Halvårs-, standpunkt- og eksamensvurdering må ha ein karakter."),
            "en": ("Grade required", "Half-year, final and exam assessments need a grade."),
        },
        "assessment.publish_at_offset": {
            "nb": ("Tidspunkt uten tidssone", "publish_at må ha tidssone (RFC 3339 med offset)."),
            "nn": ("Tidspunkt utan tidssone", "publish_at må ha tidssone (RFC 3339 med offset)."),
            "en": ("Instant without offset", "publish_at needs a UTC offset (RFC 3339)."),
        },
        "assessment.publish_too_far": {
            "nb": ("For langt fram", "Publisering kan planlegges høyst {days} dager fram."),
            "nn": ("For langt fram", "Publisering kan planleggjast høgst {days} dagar fram."),
            "en": ("Too far ahead", "Publication can be scheduled at most {days} days ahead."),
        },
    }
)
