// Small progressive enhancement for the owner pages; every page works without it.
"use strict";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

// fetch() with the CSRF header the server checks on state-changing requests.
function send(url, options = {}) {
  const headers = Object.assign({ "X-CSRF-Token": csrfToken() }, options.headers || {});
  return fetch(url, Object.assign({ credentials: "same-origin" }, options, { headers }));
}
window.receptionist = { send, csrfToken };

// Refresh a fragment of the page every few seconds (new replies appear without a reload).
function poll(el) {
  const url = el.dataset.poll;
  const every = Number(el.dataset.pollMs || 3000);
  async function tick() {
    try {
      const r = await fetch(url, { credentials: "same-origin" });
      if (r.ok) {
        const html = await r.text();
        if (html !== el.dataset.last) {
          el.dataset.last = html;
          el.innerHTML = html;
          el.dispatchEvent(new CustomEvent("refreshed", { bubbles: true }));
        }
      }
    } catch (e) { /* offline for a moment: try again next tick */ }
    setTimeout(tick, every);
  }
  setTimeout(tick, every);
}

function pollBadge(badge) {
  async function tick() {
    try {
      const r = await fetch(badge.dataset.unreadUrl, { credentials: "same-origin" });
      if (r.ok) {
        const data = await r.json();
        badge.textContent = String(data.unread);
        badge.setAttribute("aria-label", data.unread + " unread");
        badge.hidden = !data.unread;
      }
    } catch (e) { /* try again */ }
    setTimeout(tick, 5000);
  }
  setTimeout(tick, 5000);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-autosubmit]").forEach((el) =>
    el.addEventListener("change", () => el.form.submit()));
  document.querySelectorAll("[data-poll]").forEach(poll);
  const badge = document.getElementById("unread-badge");
  if (badge) pollBadge(badge);
  document.querySelectorAll("[data-copy]").forEach((button) =>
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(button.dataset.copy).then(() => {
        button.textContent = "Copied";
      });
    }));
});

// Text-back templates: the text as sent and its SMS segments, counted by the server's rule.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("textarea[data-counter]").forEach((area) => {
    const output = document.getElementById(area.id + "-count");
    const preview = document.getElementById(area.id + "-preview");
    let timer = null;
    let seq = 0;
    async function update() {
      const mine = ++seq;
      const url = new URL(area.dataset.previewUrl, window.location.href);
      url.searchParams.set("template", area.value);
      url.searchParams.set("after_hours", area.dataset.afterHours === "1" ? "true" : "false");
      const r = await fetch(url, { credentials: "same-origin" });
      if (!r.ok || mine !== seq) return;
      const p = await r.json();
      if (p.error) {
        output.textContent = p.error;
        output.classList.add("over");
        return;
      }
      output.textContent = p.chars + " characters · " + p.segments + " SMS segment" +
        (p.segments === 1 ? "" : "s") + " (" + p.encoding + ", " + p.single_limit + " fit in one)";
      output.classList.toggle("over", p.segments > 1);
      preview.textContent = p.body;
    }
    area.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(update, 150);
    });
  });
});

// A website crawl: poll its job and show pages found and read until it ends.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("job");
  if (!box || !box.dataset.jobUrl || box.dataset.status !== "running") return;
  const bar = document.getElementById("job-progress");
  const text = document.getElementById("job-text");
  async function tick() {
    try {
      const r = await fetch(box.dataset.jobUrl, { credentials: "same-origin" });
      if (r.ok) {
        const job = await r.json();
        box.dataset.status = job.status;
        bar.max = Math.max(job.found, 1);
        bar.value = job.fetched;
        if (job.status === "running") {
          text.textContent = "Reading… " + job.fetched + " of " + job.found + " pages found" +
            (job.last_url ? " (" + job.last_url + ")" : "");
        } else if (job.status === "done") {
          text.textContent = "Done: " + job.fetched + " pages read, " + job.skipped + " skipped.";
          setTimeout(() => window.location.reload(), 800);
          return;
        } else {
          text.textContent = job.status === "failed" ? "The crawl failed: " + job.error
            : "The crawl was interrupted; start it again.";
          return;
        }
      }
    } catch (e) { /* try again */ }
    setTimeout(tick, 700);
  }
  setTimeout(tick, 300);
});

// /try: the text chat, one conversation over POST /api/chat.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("chat-form");
  if (!form) return;
  const log = document.getElementById("chat-log");
  const input = document.getElementById("chat-text");
  let conversation = null;
  function show(turns) {
    log.replaceChildren(...turns.map((turn) => {
      const li = document.createElement("li");
      const caller = turn.role === "caller";
      li.className = caller ? "caller" : "agent";
      const meta = document.createElement("span");
      meta.className = "meta";
      meta.textContent = caller ? "You" : "Receptionist";
      li.append(meta, document.createElement("br"), turn.text);
      return li;
    }));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const button = form.querySelector("button");
    button.disabled = true;
    const body = { business_id: Number(form.dataset.business), text };
    if (conversation) body.conversation_id = conversation;
    try {
      const r = await window.receptionist.send(form.dataset.chatUrl, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body) });
      const data = await r.json();
      if (!r.ok) throw new Error(data.detail || r.statusText);
      conversation = data.ended ? null : data.conversation_id;
      show(data.turns);
      input.value = "";
    } catch (e) {
      const li = document.createElement("li");
      li.textContent = "Could not send: " + e.message;
      log.append(li);
    } finally {
      button.disabled = false;
      input.focus();
    }
  });
});
