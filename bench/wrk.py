"""Drive one URL with wrk and read its figures; write the Lua script that makes every POST a ballot."""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.http import HttpResponse

from polls import voter

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Figures:
    requests: int
    rps: float
    p50: float  # milliseconds
    p99: float
    bad: int  # answers that were neither 2xx nor 3xx, plus socket errors


def _latency(out, percentile):
    found = re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    return float(found.group(1)) * UNITS_MS[found.group(2)]


def parse(out):
    """Read wrk's --latency report."""
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Figures(
        requests=int(re.search(r"(\d+) requests in", out).group(1)),
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50=_latency(out, 50),
        p99=_latency(out, 99),
        bad=(int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0),
    )


def run(url, *, seconds, connections, headers, script=None):
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True, timeout=seconds + 30)
    return parse(done.stdout)


def signed_voter():
    """A new voter's cookie value, signed by the site's own remember_voter()."""
    response = HttpResponse()
    voter.remember_voter(response, voter.new_voter())
    return response.cookies[voter.COOKIE_NAME].value


def vote_script(path, *, body, headers, voters):
    """
    Write a wrk script that POSTs `body` with `headers`, each request as another browser.

    Each request carries the next of `voters` fresh signed voter cookies (so the signature is
    checked and a new ballot written) and another client address at the end of X-Forwarded-For,
    as many voters behind Heroku's router would look (198.18.0.0/15 is reserved for benchmarks).
    """
    lines = ['wrk.method = "POST"', f'wrk.body = "{body}"']
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    cookies = Path(path).with_suffix(".cookies")
    cookies.write_text("".join(f"{voter.COOKIE_NAME}={signed_voter()}\n" for _ in range(voters)))
    lines += [
        "local voters = {}",
        f'for line in io.lines("{cookies}") do voters[#voters + 1] = line end',
        "local cookie = wrk.headers['Cookie']",
        "local n = 0",
        "request = function()",
        "  n = n + 1",
        "  wrk.headers['Cookie'] = cookie .. '; ' .. voters[(n - 1) % #voters + 1]",
        "  wrk.headers['X-Forwarded-For'] = '198.18.' .. (n % 256) .. '.' .. (math.floor(n / 256) % 254 + 1)",
        "  return wrk.format()",
        "end",
    ]
    Path(path).write_text("\n".join(lines) + "\n")
    return path
