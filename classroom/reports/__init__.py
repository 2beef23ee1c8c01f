"""Attendance reports of a class or a course, per trainee, and their exports (CSV, XLSX, JSON,
PDF signed with the school's certificate)."""
