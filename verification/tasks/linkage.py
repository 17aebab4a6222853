"""Thin Celery tasks of the record linker (``link_records --chunked``)."""

from celery import shared_task


@shared_task
def link_records_chunk(spec: dict) -> dict:
    """Link one region chunk of candidates against its reference block (``link_records --chunked``)."""
    from verification.linkage.chunked import link_chunk

    return link_chunk(spec)


@shared_task
def link_records_merge(results: list[dict], *, out: str, work_dir: str | None = None) -> dict:
    """Chord callback: merge the chunks' links into the output file, in candidate order."""
    from verification.linkage.chunked import merge_chunks

    return merge_chunks(results, out, work_dir)
