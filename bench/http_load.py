"""Drive wrk against a URL (or a list of paths) for a bounded time and parse its report."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

# Each wrk thread starts at its own share of the list, so two threads never ask the same
# path one after the other (the second would find what the first just cached).
LUA_PATHS = """
local paths = {%s}
local headers = {%s}
local threads = %d
local started = 0
function setup(thread)
  thread:set("offset", math.floor(started * #paths / threads))
  started = started + 1
end
local i = -1
request = function()
  if i < 0 then i = offset or 0 end
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], headers)
end
"""

_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class LoadResult:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int

    def row(self) -> str:
        return (
            f"{self.requests_per_s:8.0f} req/s  p50 {self.p50_ms:6.2f} ms  "
            f"p99 {self.p99_ms:6.2f} ms  ({self.requests} requests, {self.errors} errors)"
        )


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNIT[unit]


def run_wrk(
    base_url: str,
    paths: list[str],
    *,
    connections: int,
    seconds: int,
    threads: int = 2,
    headers: dict[str, str] | None = None,
) -> LoadResult:
    """``paths`` asked in turn for ``seconds``, each request with ``headers`` (e.g. a
    Cookie); every value is quoted into the Lua script, so none may hold a quote."""
    lua_headers = ", ".join(f'["{k}"] = "{v}"' for k, v in (headers or {}).items())
    threads = min(threads, connections)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA_PATHS % (", ".join(f'"{p}"' for p in paths), lua_headers, threads))
    try:
        output = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout",
                "5s",
                "--latency",
                "-s",
                script.name,
                base_url,
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 30,
        ).stdout
    finally:
        Path(script.name).unlink()
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    socket_errors = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"
    if match := re.search(socket_errors, output):
        errors += sum(int(x) for x in match.groups())
    return LoadResult(
        requests_per_s=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        requests=requests,
        errors=errors,
    )
