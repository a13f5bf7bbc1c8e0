// Keep the browser's time zone in a cookie, so the server renders times in it (mysite/timezones.py).
// The page is not reloaded: it already names the zone its times are in (UTC the first time), and
// the next page follows the cookie (docs/time-zones.md).
"use strict";

(() => {
  const name = "polls_tz";
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // IANA names ("America/New_York", "Etc/GMT+5") need no quoting in a cookie; anything else is
    // not a name the server would take, so it is not sent.
    if (typeof zone !== "string" || !/^[A-Za-z0-9_+\-/]{1,64}$/.test(zone)) {
      return;
    }
    if (document.cookie.split("; ").includes(`${name}=${zone}`)) {
      return;
    }
    const secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `${name}=${zone}; path=/; max-age=31536000; SameSite=Lax${secure}`;
  } catch {
    // No Intl, or no cookies here (a sandboxed frame throws on document.cookie): times stay in
    // UTC, as the page says.
  }
})();
