"""The flows that span domains, one module each.

A domain's service knows its own rules and nothing of the others'; what one
event means for another domain is decided here, in the caller's transaction:

- ``absence_report``: an absence report for today answers (closes) the pupil's open
  missing-pupil cases;
- ``case_answer``: a case answered "sick at home" files a sick report for the day;
- ``leave_decision``: approved leave closes the open cases of its days.

Routes (API and web) call these instead of the services for these use cases, so
``absence``, ``missing`` and ``leave`` never import one another.
"""
