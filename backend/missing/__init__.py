"""Missing-pupil cases (etterlysning): opened by roll call, sought, escalated, resolved."""
