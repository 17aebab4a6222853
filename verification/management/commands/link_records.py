"""``manage.py link_records``: link two CSV files of people, or find duplicates in one.

See ``docs/linkage.md``. The options are part of the portal's outside contract (README,
"Other commands"); ``--map-candidates``, ``--threshold``, ``--max-block``, ``--chunked`` and ``--quiet``
are additions.
"""

from django.core.management.base import BaseCommand, CommandError

from verification.linkage.engine import DEFAULT_THRESHOLD, LinkError, LinkJob, link_files, parse_mapping
from verification.linkage.records import FIELDS


class Command(BaseCommand):
    help = (
        "Link each candidate row to the reference row of the same person (or, with --dedupe, "
        "find duplicate pairs within --reference). Writes candidate_id,reference_id,score."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reference", required=True, metavar="R.csv", help="The reference file.")
        parser.add_argument("--candidates", metavar="C.csv", help="The file whose rows are linked to the reference.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=COLUMN[+COLUMN]",
            help=f"Which column(s) hold a field, repeated per field; FIELD is one of {', '.join(FIELDS)}. "
            "'+' joins columns with a space (name=given_name+surname).",
        )
        parser.add_argument(
            "--map-candidates",
            action="append",
            default=[],
            metavar="FIELD=COLUMN[+COLUMN]",
            help="The candidates file's columns when they are named differently (same fields as --map).",
        )
        parser.add_argument("--id-reference", required=True, metavar="COL", help="The reference rows' id column.")
        parser.add_argument("--id-candidates", metavar="COL", help="The candidate rows' id column.")
        parser.add_argument("--out", required=True, metavar="LINKS.csv", help="Where to write the accepted pairs.")
        parser.add_argument(
            "--dedupe", action="store_true", help="Find duplicate pairs within --reference (no --candidates)."
        )
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help="Lowest match probability accepted (default %(default)s: more likely the same person than not).",
        )
        parser.add_argument(
            "--max-block",
            type=int,
            default=300,
            help="Blocking keys shared by more reference rows than this are skipped (default %(default)s).",
        )
        parser.add_argument(
            "--chunked",
            action="store_true",
            help="Run through Celery: one task per region chunk of the candidates (docs/linkage.md).",
        )
        parser.add_argument("--quiet", action="store_true", help="Print only the summary line.")

    def handle(self, *args, **options):
        try:
            job = LinkJob(
                reference=options["reference"],
                candidates=options["candidates"],
                mapping=parse_mapping(options["map"]),
                candidate_mapping=parse_mapping(options["map_candidates"]) if options["map_candidates"] else None,
                id_reference=options["id_reference"],
                id_candidates=options["id_candidates"],
                out=options["out"],
                dedupe=options["dedupe"],
                threshold=options["threshold"],
                max_block=options["max_block"],
            )
            progress = None if options["quiet"] else self.stdout.write
            if options["chunked"]:
                if job.dedupe:
                    raise LinkError("--chunked links two files; --dedupe runs in one process")
                from verification.linkage.chunked import link_chunked

                stats = link_chunked(job, progress=progress)
            else:
                stats = link_files(job, progress=progress)
        except LinkError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{stats.links} links written to {job.out}: {stats.summary()}"))
