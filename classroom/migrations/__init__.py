"""The database's Alembic migrations, shipped inside the package (classroom/migrate.py runs
them; `alembic` from the repository's root uses them through alembic.ini for new revisions)."""
