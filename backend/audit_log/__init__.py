"""The audit log as school leaders read it: who read which pupil's data, and when."""
