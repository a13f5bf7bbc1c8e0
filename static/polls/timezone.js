// Keep the browser's time zone in a cookie, so the server renders times in it (mysite/timezones.py).
// The page is not reloaded: it already names the zone its times are in (UTC the first time), and
// the next page follows the cookie. Without Intl, or without scripts, times stay in UTC.
"use strict";

(() => {
  let zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return;
  }
  // IANA names ("America/New_York", "Etc/GMT+5") need no quoting in a cookie; anything else is not
  // a name the server would accept, so it is not sent at all.
  if (typeof zone !== "string" || !/^[A-Za-z0-9_+\-/]{1,64}$/.test(zone)) {
    return;
  }
  const name = "polls_tz";
  const current = document.cookie.split("; ").find((pair) => pair.startsWith(`${name}=`));
  if (current === `${name}=${zone}`) {
    return;
  }
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${name}=${zone}; path=/; max-age=31536000; SameSite=Lax${secure}`;
})();
