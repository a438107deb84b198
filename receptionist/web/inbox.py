"""``/inbox``: one SMS thread per caller, unread badges, live updates (polled fragments), and a
thread page whose answer goes from the business number through the outbox (stored first, sent by
the outbox worker) and whose "mark handled" feeds the response-time metric."""

from __future__ import annotations

import re
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from receptionist.deps import TextbackDep
from receptionist.web.templating import PageScope, PageScopeDep, render, templates
from textback import ANSWER_MAX_CHARS, InboxError, TextbackService, Thread

__all__ = ["router"]

router = APIRouter()
SearchQuery = Annotated[str, Query(max_length=200)]
_NONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}\Z")


async def _threads_context(scope: PageScope, textback: TextbackService,
                           q: str) -> dict[str, object]:
    business = scope.require_business()
    return {"scope": scope, "q": q, "threads": await textback.threads(business.id, search=q)}


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request, scope: PageScopeDep, textback: TextbackDep,
                q: SearchQuery = "") -> HTMLResponse:
    if scope.business is None:
        return render(request, scope, "inbox.html", active="inbox", title="Inbox")
    business = scope.require_business()
    return render(request, scope, "inbox.html", active="inbox", title="Inbox", q=q,
                  threads=await textback.threads(business.id, search=q))


@router.get("/inbox/threads", response_class=HTMLResponse)
async def inbox_threads(request: Request, scope: PageScopeDep, textback: TextbackDep,
                        q: SearchQuery = "") -> HTMLResponse:
    """The thread list alone: the inbox page polls it so new replies appear without a reload."""
    return templates.TemplateResponse(request, "_threads.html",
                                      await _threads_context(scope, textback, q))


@router.get("/inbox/unread")
async def inbox_unread(scope: PageScopeDep) -> dict[str, int]:
    """The nav badge's count (polled)."""
    return {"unread": scope.unread}


async def _thread(textback: TextbackService, scope: PageScope, code: str, *,
                  after_id: int = 0) -> Thread:
    business = scope.require_business()
    try:
        return await textback.thread(business.id, code, after_id=after_id)
    except InboxError as exc:
        raise HTTPException(404, "not found") from exc


def _thread_page(request: Request, scope: PageScope, thread: Thread, *, error: str | None = None,
                 draft: str = "", sent: bool = False, status_code: int = 200) -> HTMLResponse:
    who = thread.summary.first_name or thread.summary.phone
    return render(request, scope, "thread.html", active="inbox", title=f"Texts with {who}",
                  thread=thread, nonce=secrets.token_urlsafe(16), max_chars=ANSWER_MAX_CHARS,
                  draft=draft, status_code=status_code,
                  flash=error or ("Sent. It goes out from your business number." if sent
                                  else None),
                  flash_kind="error" if error else "ok")


@router.get("/inbox/{code}", response_class=HTMLResponse)
async def thread_page(request: Request, code: str, scope: PageScopeDep, textback: TextbackDep,
                      sent: int = 0) -> HTMLResponse:
    thread = await _thread(textback, scope, code)
    # Opening the thread read it: the badge on this page counts what is left elsewhere.
    scope = PageScope(scope.principal, scope.business, scope.businesses,
                      max(scope.unread - thread.summary.unread, 0))
    return _thread_page(request, scope, thread, sent=bool(sent))


@router.get("/inbox/{code}/messages", response_class=HTMLResponse)
async def thread_messages(request: Request, code: str, scope: PageScopeDep,
                          textback: TextbackDep) -> HTMLResponse:
    """The thread's messages alone, polled by the thread page."""
    thread = await _thread(textback, scope, code)
    return templates.TemplateResponse(request, "_messages.html",
                                      {"scope": scope, "thread": thread})


@router.post("/inbox/{code}/reply", response_model=None)
async def reply(request: Request, code: str, scope: PageScopeDep, textback: TextbackDep,
                body: Annotated[str, Form()] = "",
                nonce: Annotated[str, Form()] = "") -> HTMLResponse | RedirectResponse:
    business = scope.require_business()
    key = f"inbox:{business.id}:{nonce}" if _NONCE.match(nonce) else None
    try:
        await textback.answer(business.id, code, body, dedupe_key=key)
    except InboxError as exc:
        thread = await _thread(textback, scope, code)
        return _thread_page(request, scope, thread, error=str(exc), draft=body,
                            status_code=422)
    return RedirectResponse(scope.href(f"/inbox/{code.upper()}", sent=1), status_code=303)


@router.post("/inbox/{code}/handled")
async def handled(code: str, scope: PageScopeDep, textback: TextbackDep) -> RedirectResponse:
    business = scope.require_business()
    try:
        await textback.mark_handled(business.id, code)
    except InboxError as exc:
        raise HTTPException(404, "not found") from exc
    return RedirectResponse(scope.href(f"/inbox/{code.upper()}"), status_code=303)
