"""Alembic environment: runs on the connection desktop_app.catalogue.migrate hands over."""

from alembic import context
from sqlalchemy import create_engine

from desktop_app.catalogue.migrate import include_name
from desktop_app.catalogue.models import Base


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    # Plain `alembic` command line use (developers): a URL in the config.
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        run_migrations(conn)
