"""`manage.py bench` (`make bench`): seed a dedicated PostgreSQL database at scale and
measure the pages the supervisor dashboards issue names. See reports/bench/."""

import json
import logging
from pathlib import Path

import psycopg2
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from kombu.transport import memory
from psycopg2 import sql

from frontdesk.celery import app
from reports.bench.probes import PROBES
from reports.bench.run import run


class Command(BaseCommand):
    help = (
        "Seed a dedicated PostgreSQL database (DATABASE_URL's name + '_bench') with 200,000 "
        "residents, 1,000,000 complaints and repair orders, their callbacks and a year of fee "
        "notices, in stages, measuring the pages at each; then 1,000 properties and 2,000,000 "
        "residents, the sweep and a month of notices; print the table and goals, write the JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="Drop and recreate the benchmark database first (make bench does).",
        )
        parser.add_argument(
            "--database-name",
            default="",
            help="The benchmark database's name (default: DATABASE_URL's name + '_bench').",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply every size by this (1.0 = the issue's sizes; 0.01 for a quick try).",
        )
        parser.add_argument("--runs", type=int, default=9, help="Timed requests per figure.")
        parser.add_argument(
            "--sweep-rows", type=int, default=100_000, help="Due callbacks for the sweep."
        )
        parser.add_argument(
            "--properties",
            type=int,
            default=1_000,
            help="Properties in all for the stage of many properties.",
        )
        parser.add_argument(
            "--probe",
            choices=sorted(PROBES),
            default="",
            help="Run one probe on the (seeded) benchmark database and print its figures "
            "as JSON; the bench itself runs its probes so, each in a process of its own.",
        )
        parser.add_argument("--probe-arguments", default="{}", help="The probe's, as JSON.")
        parser.add_argument(
            "--output",
            default=str(Path(settings.VAR_DIR) / "bench" / "results.json"),
            help="Where the JSON file goes.",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "The benchmark needs PostgreSQL, and the configured database is "
                f"{connection.vendor}. Set DATABASE_URL=postgres://user@host:5432/frontdesk "
                "(the benchmark creates and uses its own database, <name>_bench, beside it)."
            )
        name = options["database_name"] or f"{connection.settings_dict['NAME']}_bench"
        if options["probe"]:
            self._use(name)
            self._quiet_broker()
            figures = PROBES[options["probe"]](**json.loads(options["probe_arguments"]))
            self.stdout.write(json.dumps(figures))
            return
        self._prepare(name, fresh=options["fresh"])
        self._use(name)
        self.stdout.write(f"Migrating {name} ...")
        call_command("migrate", verbosity=0, interactive=False)
        if self._seeded():
            raise CommandError(
                f"{name} already holds seeded rows: the stages need an empty database. "
                "Run with --fresh (make bench does) to drop and recreate it."
            )
        self._quiet_broker()
        # force_login() of the measuring client is a "successful login" to django-axes.
        logging.getLogger("axes").setLevel(logging.WARNING)

        output = Path(options["output"])
        run(
            scale=options["scale"],
            runs=options["runs"],
            sweep_rows=options["sweep_rows"],
            database=name,
            many=options["properties"],
            output=output,
            log=lambda line: self.stdout.write(line),
        )
        self.stdout.write(f"Figures written to {output}")

    def _server(self):
        """A connection to the server's maintenance database, to create or drop ours."""
        params = connection.get_connection_params()
        params["dbname"] = "postgres"
        params.pop("cursor_factory", None)
        params.pop("context", None)
        server = psycopg2.connect(**{k: v for k, v in params.items() if v not in (None, "")})
        server.autocommit = True
        return server

    def _prepare(self, name: str, *, fresh: bool) -> None:
        server = self._server()
        try:
            with server.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                exists = cursor.fetchone() is not None
                if exists and fresh:
                    self.stdout.write(f"Dropping {name} ...")
                    cursor.execute(
                        sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
                    )
                    exists = False
                if not exists:
                    self.stdout.write(f"Creating {name} ...")
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        finally:
            server.close()

    def _use(self, name: str) -> None:
        """Point the default connection at the benchmark database, for the rest of the run."""
        connections.close_all()
        settings.DATABASES["default"]["NAME"] = name
        connection.settings_dict["NAME"] = name
        connection.settings_dict["CONN_MAX_AGE"] = None

    def _seeded(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM tickets_complaint)")
            return cursor.fetchone()[0]

    def _quiet_broker(self) -> None:
        """Tasks published during the run (the sweep queues a delivery for each notice it
        writes) go to Celery's in-memory transport, which keeps none of them (a real broker
        holds them outside the process, and the memory figures are the work's): the bench's
        rows must never reach a real worker. Mail goes nowhere."""
        app.conf.broker_url = "memory://"
        app.conf.broker_transport_options = {}
        memory.Channel._put = lambda *_args, **_kwargs: None
        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
