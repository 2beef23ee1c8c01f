"""Courses: the roster of trainees a school enrols, the classes it groups, its completion rule."""
