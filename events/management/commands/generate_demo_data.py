"""Fill the database with realistic synthetic data for benchmarks: events, actors, sources,
quotes and their links in the ratio the scale issue plans for (per 1,000,000 events: 2,500,000
participations, 1,000,000 quotes, 250,000 sources, 50,000 actors).

PostgreSQL gets the rows through COPY (1,000,000 events in a few minutes); SQLite through
batched INSERTs. Rows bypass the models' save(), so derived columns are written here as the
models would (match keys) or by the database itself (generated columns, and the events'
export rows: by triggers on SQLite, by one statement after the load on PostgreSQL).
"""

import datetime
import random
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from actors.models import match_key
from events import public_changes, read_model
from events.models import EventType

WORDS = (
    "sanctions summit treaty border talks ceasefire troops navy exercise election protest embassy "
    "minister president parliament trade tariff energy gas pipeline oil grain security alliance "
    "cooperation dispute negotiation agreement statement visit delegation aid refugees drone missile "
    "nuclear inspection court ruling investment loan port railway satellite cyber attack hostage "
    "prisoner exchange mediation peacekeeping observers referendum coalition opposition crackdown"
).split()
PLACES = "Beijing Moscow Geneva Vienna Brussels Ankara Tehran Kyiv Minsk Astana Delhi Tokyo Seoul Cairo".split()
VERBS = ["meets", "warns", "signs an agreement with", "criticizes", "hosts", "sanctions", "calls", "praises"]
COUNTRIES = "RU CN US GB FR DE IR UA KZ IN JP KR EG TR BY".split()
KINDS = ["person", "state", "organization", "group"]
ROLES = ["initiator", "target", "participant", "host", "observer"]
START = datetime.date(1990, 1, 1)
DAYS = 35 * 365


class Command(BaseCommand):
    help = "Generate synthetic events, actors, sources and quotes at the planned ratio (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=10_000, help="How many events (default 10,000).")
        parser.add_argument("--seed", type=int, default=2022, help="Random seed: the same seed, the same data.")

    def handle(self, *args, events, seed, **options):
        if events < 1 or events > 20_000_000:
            raise CommandError("--events must be between 1 and 20,000,000.")
        self.random = random.Random(seed)
        self.now = timezone.now()
        n_actors, n_sources = max(50, events // 20), max(10, events // 4)
        types = list(EventType.objects.values_list("id", flat=True))
        if not types:
            raise CommandError("No event types: run migrations first.")
        started = time.monotonic()
        postgresql = connection.vendor == "postgresql"
        with transaction.atomic():
            base = {table: self.next_id(table) for table in TABLES}
            if postgresql:
                # The triggers (read model, change log) would run once per copied row: off for
                # the load, and what they keep filled in one statement each after it.
                with connection.cursor() as cursor:
                    read_model.set_triggers_enabled(cursor, False)
            self.copy("actors_actor", ACTOR_COLUMNS, self.actors(base["actors_actor"], n_actors), n_actors)
            self.copy("events_source", SOURCE_COLUMNS, self.sources(base["events_source"], n_sources), n_sources)
            actor_ids = range(base["actors_actor"], base["actors_actor"] + n_actors)
            source_ids = range(base["events_source"], base["events_source"] + n_sources)
            self.copy("events_event", EVENT_COLUMNS, self.events(base["events_event"], events, types), events)
            event_ids = range(base["events_event"], base["events_event"] + events)
            self.copy(
                "events_participation", ["id", "event_id", "actor_id", "role"],
                self.participations(base["events_participation"], event_ids, actor_ids), int(events * 2.5),
            )  # fmt: skip
            self.copy(
                "events_citation", ["id", "event_id", "source_id", "locator", "note"],
                ((base["events_citation"] + i, e, self.random.choice(source_ids), "", "") for i, e in enumerate(event_ids)),
                events,
            )  # fmt: skip
            self.copy(
                "events_quote", QUOTE_COLUMNS,
                self.quotes(base["events_quote"], events, actor_ids, source_ids, event_ids), events,
            )  # fmt: skip
            self.reset_sequences()
            if postgresql:
                with connection.cursor() as cursor:
                    # The deferred foreign key checks first: no ALTER TABLE while they wait.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    read_model.set_triggers_enabled(cursor, True)
                    # Statistics of the loaded tables, or the fill plans as if they were empty.
                    cursor.execute("ANALYZE " + ", ".join(TABLES))
                    self.stdout.write("Filling the public read model …")
                    cursor.execute(read_model.fill_sql("postgresql", first_id=base["events_event"]))
                    # The change log's triggers were off too: the new public entries, as created.
                    self.stdout.write("Filling the public change log …")
                    for resource, table in public_changes.TABLE.items():
                        cursor.execute(public_changes.fill_sql("postgresql", resource, "x.id >= %s"), [base[table]])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Generated {events:,} events, {n_actors:,} actors, {n_sources:,} sources, {events:,} quotes "
            f"in {time.monotonic() - started:.0f} s."
        )

    # Rows ---------------------------------------------------------------------------------

    def common(self):
        return ["published" if self.random.random() < 0.97 else "draft", self.now, self.now, None, None, 1]

    def sentence(self, n):
        return " ".join(self.random.choice(WORDS) for _ in range(n))

    def actors(self, first, count):
        for i in range(count):
            kind = KINDS[0] if i % 3 else self.random.choice(KINDS[1:])
            name = f"{self.sentence(2).title()} {i}"
            yield [first + i, *self.common(), name, f"actor-{first + i}", kind,
                   self.random.choice(COUNTRIES), self.sentence(8), "", match_key(name), None]  # fmt: skip

    def sources(self, first, count):
        for i in range(count):
            day = START + datetime.timedelta(days=self.random.randrange(DAYS))
            yield [first + i, *self.common(), f"Report on {self.sentence(4)}", f"https://news.example/{first + i}",
                   self.random.choice(["Wire", "Daily", "Herald", "Agency"]), "", day, "en", "news", ""]  # fmt: skip

    def events(self, first, count, types):
        for i in range(count):
            day = START + datetime.timedelta(days=self.random.randrange(DAYS))
            precision = self.random.choices(["day", "month", "year"], weights=[80, 15, 5])[0]
            if precision == "month":
                day = day.replace(day=1)
            elif precision == "year":
                day = day.replace(month=1, day=1)
            place = self.random.choice(PLACES)
            title = f"{place}: {self.random.choice(VERBS)} {self.sentence(3)}"
            yield [first + i, *self.common(), title, f"event-{first + i}", self.sentence(30), day, None,
                   precision, place, self.random.choice(COUNTRIES), self.random.choice(types)]  # fmt: skip

    def participations(self, first, event_ids, actor_ids):
        # Popularity follows a power law, as in the news: a few actors are in most events.
        n = len(actor_ids)
        next_id = first
        for event_id in event_ids:
            chosen = {
                actor_ids[min(n - 1, int(n * self.random.random() ** 3))]
                for _ in range(self.random.choice((1, 2, 2, 3, 3, 4)))
            }
            for actor_id in chosen:
                yield [next_id, event_id, actor_id, self.random.choice(ROLES)]
                next_id += 1

    def quotes(self, first, count, actor_ids, source_ids, event_ids):
        n = len(actor_ids)
        for i in range(count):
            day = START + datetime.timedelta(days=self.random.randrange(DAYS))
            speaker = actor_ids[min(n - 1, int(n * self.random.random() ** 3))]
            event = self.random.choice(event_ids) if self.random.random() < 0.5 else None
            yield [first + i, *self.common(), self.sentence(20).capitalize() + ".", speaker, "", day, "day",
                   self.random.choice(source_ids), event, "en", "", False]  # fmt: skip

    # Writing ------------------------------------------------------------------------------

    def next_id(self, table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
            return cursor.fetchone()[0]

    def copy(self, table, columns, rows, expected):
        done, started = 0, time.monotonic()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        done += 1
                        if done % 50_000 == 0:
                            self.progress(table, done, expected, started)
            else:
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == 5_000:
                        cursor.executemany(sql, batch)
                        done += len(batch)
                        batch = []
                        self.progress(table, done, expected, started)
                if batch:
                    cursor.executemany(sql, batch)
                    done += len(batch)
        self.progress(table, done, expected, started, end=True)

    def progress(self, table, done, expected, started, end=False):
        width = 30
        filled = min(width, int(width * done / max(expected, 1)))
        rate = done / max(time.monotonic() - started, 1e-6)
        sys.stderr.write(f"\r{table:<22} [{'#' * filled}{'.' * (width - filled)}] {done:>10,} rows {rate:>9,.0f}/s")
        if end:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def reset_sequences(self):
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


COMMON = ["status", "created_at", "updated_at", "created_by_id", "updated_by_id", "version"]
ACTOR_COLUMNS = [
    "id",
    *COMMON,
    "name",
    "slug",
    "kind",
    "country",
    "description",
    "wikidata_id",
    "match_key",
    "merged_into_id",
]
SOURCE_COLUMNS = [
    "id",
    *COMMON,
    "title",
    "url",
    "publisher",
    "author",
    "published_on",
    "language",
    "kind",
    "archive_url",
]
EVENT_COLUMNS = ["id", *COMMON, "title", "slug", "summary", "start_date", "end_date", "date_precision", "location",
                 "country", "event_type_id"]  # fmt: skip
QUOTE_COLUMNS = ["id", *COMMON, "text", "speaker_id", "speaker_title", "said_on", "said_on_precision", "source_id",
                 "event_id", "language", "original_text", "is_paraphrase"]  # fmt: skip
TABLES = ["actors_actor", "events_source", "events_event", "events_participation", "events_citation", "events_quote"]
