"""`make bench`: seed PostgreSQL at scale by bulk loading (COPY), then measure the pages the
performance issue names, in one run, at several sizes (see reports/management/commands/bench.py).

seed.py generates plausible rows and streams them in with COPY; measure.py times the pages
through django.test.Client and re-runs the SQL they ran; run.py puts the stages together and
writes the table and the JSON file."""
