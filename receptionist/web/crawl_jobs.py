"""Website crawls started from /knowledge, run in the app's process, their progress in a row.

``start`` writes the job row and runs the crawl (``KnowledgeService.onboard``/``recrawl``) as a
background task owned by this object; the crawl's progress callback updates an in-memory
snapshot that a writer flushes to the row every half second, so the page polls the database,
never this process. One running job per business: starting again returns the running one.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from knowledge import CrawlProgress, KnowledgeError, KnowledgeService
from receptionist.core import Clock, Database, log_event
from receptionist.web.models import CrawlJob

__all__ = ["CrawlJobs", "JobView"]

log = logging.getLogger("receptionist.web.crawl_jobs")
FLUSH_S = 0.5
STALE_AFTER = timedelta(seconds=30)  # a running row not updated for this long lost its process


@dataclass(frozen=True)
class JobView:
    id: int
    url: str
    status: str  # running | done | failed | interrupted
    found: int
    fetched: int
    skipped: int
    last_url: str
    error: str | None
    result: dict[str, object]

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "url": self.url, "status": self.status, "found": self.found,
                "fetched": self.fetched, "skipped": self.skipped, "last_url": self.last_url,
                "error": self.error, "result": self.result}


class CrawlJobs:
    def __init__(self, db: Database, knowledge: KnowledgeService, clock: Clock) -> None:
        self.db = db
        self.knowledge = knowledge
        self.clock = clock
        self._tasks: set[asyncio.Task[None]] = set()

    def _view(self, job: CrawlJob) -> JobView:
        status = job.status
        if status == "running" and self.clock.now() - job.updated_at > STALE_AFTER:
            status = "interrupted"
        return JobView(job.id, job.url, status, job.found, job.fetched, job.skipped,
                       job.last_url, job.error, dict(job.result or {}))

    async def get(self, business_id: int, job_id: int) -> JobView | None:
        async with self.db.transaction() as session:
            job = await session.get(CrawlJob, job_id)
            return self._view(job) if job is not None and job.business_id == business_id \
                else None

    async def latest(self, business_id: int) -> JobView | None:
        async with self.db.transaction() as session:
            job = (await session.execute(
                select(CrawlJob).where(CrawlJob.business_id == business_id)
                .order_by(CrawlJob.id.desc()).limit(1))).scalar_one_or_none()
            return self._view(job) if job is not None else None

    async def start(self, business_id: int, url: str | None, *,
                    max_pages: int | None = None) -> int:
        """Crawl ``url`` for the business (``None``: re-crawl its site); returns the job id."""
        running = await self.latest(business_id)
        if running is not None and running.status == "running":
            return running.id
        now = self.clock.now()
        async with self.db.transaction() as session:
            job = CrawlJob(business_id=business_id, url=url or "", status="running",
                           started_at=now, updated_at=now, result={}, last_url="")
            session.add(job)
            await session.flush()
            job_id = job.id
        task = asyncio.create_task(self._run(job_id, business_id, url, max_pages),
                                   name=f"crawl-{job_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job_id

    async def _write(self, job_id: int, **values: object) -> None:
        async with self.db.transaction() as session:
            await session.execute(update(CrawlJob).where(CrawlJob.id == job_id)
                                  .values(updated_at=self.clock.now(), **values))

    async def _run(self, job_id: int, business_id: int, url: str | None,
                   max_pages: int | None) -> None:
        latest: list[CrawlProgress] = []

        def on_progress(progress: CrawlProgress) -> None:
            latest[:] = [CrawlProgress(progress.found, progress.fetched, progress.skipped,
                                       progress.last_url, progress.last_event)]

        async def flush_forever() -> None:
            while True:
                await asyncio.sleep(FLUSH_S)
                p = latest[0] if latest else None
                await self._write(job_id, **({"found": p.found, "fetched": p.fetched,
                                              "skipped": p.skipped, "last_url": p.last_url[:2000]}
                                             if p else {}))

        writer = asyncio.create_task(flush_forever())
        try:
            if url:
                report = await self.knowledge.onboard(url, business=business_id,
                                                      max_pages=max_pages,
                                                      on_progress=on_progress)
            else:
                report = await self.knowledge.recrawl(business_id, max_pages=max_pages,
                                                      on_progress=on_progress)
        except (KnowledgeError, ValueError) as exc:
            writer.cancel()
            with suppress(asyncio.CancelledError):
                await writer
            await self._write(job_id, status="failed", error=str(exc)[:2000])
            log_event(log, "knowledge.crawl_job_failed", logging.WARNING, job=job_id,
                      error=str(exc))
            return
        finally:
            writer.cancel()
            with suppress(asyncio.CancelledError):
                await writer
        crawl = report.to_json()["crawl"]
        await self._write(job_id, status="done", found=report.found,
                          fetched=report.new + report.changed + report.unchanged,
                          skipped=len(report.skipped), result=crawl)
        log_event(log, "knowledge.crawl_job_done", job=job_id, pages=report.found)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
