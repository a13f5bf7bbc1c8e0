// Live results (issue 22): an open results page asks for its tally again every few seconds and swaps
// in what the server rendered (polls/_live_tally.html). The server answers 304 while nothing changed
// (its ETag follows the counts and this visitor's ballot), so an idle page costs it one small query.
// It asks less often while the tab is hidden or the poll is closed, backs off on errors and gives up
// after a few. Screen readers hear a short summary, at most every ANNOUNCE_MS. Nothing global.
"use strict";

(() => {
  const VISIBLE_MS = 2500;
  const HIDDEN_MS = 30000;
  const CLOSED_MS = 60000;
  const ANNOUNCE_MS = 10000;
  const FIRST_RETRY_MS = 5000;
  const MOST_ERRORS = 5;

  const region = document.querySelector("[data-live-tally]");
  if (!region || !window.fetch || !window.DOMParser) {
    return;
  }
  const url = region.dataset.liveTally;
  let status = region.dataset.liveStatus;
  let etag = null;
  let errors = 0;
  let timer = null;

  // Polite and separate from the table: replacing the table is not announced, this sentence is.
  const announcer = document.createElement("p");
  announcer.className = "live-summary visually-hidden";
  announcer.setAttribute("aria-live", "polite");
  region.after(announcer);
  let lastAnnounced = 0;
  let announceTimer = null;
  let summary = "";

  function announce(text) {
    summary = text;
    if (announceTimer !== null) {
      return; // the announcement already due will say the latest summary
    }
    const wait = Math.max(0, lastAnnounced + ANNOUNCE_MS - Date.now());
    announceTimer = setTimeout(() => {
      announceTimer = null;
      lastAnnounced = Date.now();
      announcer.textContent = summary;
    }, wait);
  }

  function delay() {
    if (errors > 0) {
      return FIRST_RETRY_MS * 2 ** (errors - 1);
    }
    if (status === "closed") {
      return CLOSED_MS;
    }
    return document.visibilityState === "visible" ? VISIBLE_MS : HIDDEN_MS;
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function stop() {
    clearTimeout(timer);
    timer = null;
  }

  function words(element) {
    return element.textContent.replace(/\s+/g, " ").trim();
  }

  function swapIn(html) {
    const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-status]");
    if (!fresh) {
      throw new Error("the live tally answered without a tally");
    }
    const said = fresh.querySelector("[data-live-summary]");
    said.remove();
    status = fresh.dataset.liveStatus;
    // The first answer may hold what the page already shows (the page has no ETag to send).
    if (words(fresh) !== words(region)) {
      region.replaceChildren(...fresh.childNodes);
      announce(said.textContent.trim());
    }
  }

  async function poll() {
    try {
      const headers = etag ? { "If-None-Match": etag } : {};
      // no-store: this script keeps the ETag itself, so the 304 arrives here rather than in the cache.
      const response = await fetch(url, { headers, cache: "no-store", credentials: "same-origin" });
      if (response.status === 403 || response.status === 404) {
        stop(); // hidden or gone now: the page stays as it is, and asks no more
        return;
      }
      if (response.status === 200) {
        swapIn(await response.text());
        etag = response.headers.get("ETag");
      } else if (response.status !== 304) {
        throw new Error(`the live tally answered ${response.status}`);
      }
      errors = 0;
    } catch {
      errors += 1;
      if (errors >= MOST_ERRORS) {
        stop(); // the server or the network is failing: a reload starts again
        return;
      }
    }
    schedule(delay());
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && errors === 0 && timer !== null) {
      schedule(0); // back on screen: catch up now, then at the visible pace
    }
  });
  schedule(delay());
})();
