"""Missing-pupil cases (etterlysning): opened by roll call, sought, escalated, resolved
(product.md: the morning routine, steps 3–4).

A pupil marked absent at roll call with nothing accounting for the time gets
a *pending* case. At the seek time of the pupil's level the case is *sought*:
an urgent push to every guardian with access. Unanswered for
``escalate_after_minutes`` it is *escalated*: a second urgent push to the
guardians and an alert to the school leaders. A guardian's or staff answer,
a present/late mark or an absence report *resolves* it. Each transition is
one conditional UPDATE in the same transaction as its pushes, so it happens
once however many schedulers race, and is recorded with who and when.

``sweep`` seeks and escalates; ``hooks`` are what roll call, absence reports
and leave call; ``answering`` is a guardian's or staff answer; ``reads`` lists
and shows cases; ``notices`` builds the pushes. Reaching guardians by SMS,
e-mail and calls is ``contacts`` and ``ladder``.
"""
