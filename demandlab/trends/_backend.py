"""Live Google Trends: backend interface, the pytrends backend, an on-disk cache, backoff.

pytrends 4.9 (April 2023) is driven here with care:

* its URLs are class attributes built from a module constant, so the base URL
  cannot be configured; :class:`_TrendReq` rewrites every URL onto ``base_url``
  (tests point it at a local server on 127.0.0.1);
* its cookie request in ``__init__`` loops and ignores the timeout policy; ours
  makes one attempt and carries on without the cookie;
* its own retry (``retries=...``) passes ``method_whitelist`` to urllib3's
  ``Retry``, which urllib3 2 removed, so it is never used: retries and backoff
  live in :func:`call_with_backoff`;
* its ``_get_data`` treats any ``application/javascript`` answer as success,
  whatever the status; ours checks the status first.

The parsing code of pytrends (``interest_over_time``, ``interest_by_region``,
``related_queries``) is used as is; it works with pandas 3 (checked by the tests
against recorded responses).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from .._validation import check_params
from ..errors import DemandlabWarning, SourceError
from ..io._atomic import atomic_write_text

__all__ = [
    "TrendsBackend",
    "PytrendsBackend",
    "RetryableError",
    "PermanentError",
    "TrendsCache",
    "call_with_backoff",
    "DEFAULT_BASE_URL",
    "GIVE_UP_HINT",
]

DEFAULT_BASE_URL = "https://trends.google.com/trends"
GIVE_UP_HINT = (
    "wait an hour and try again, use what is cached (offline=True / --offline), or export "
    "the CSV by hand from the Google Trends web page and read it with read_trends_csv"
)


class RetryableError(Exception):
    """A failure worth retrying: HTTP 429, 5xx, a timeout, a dropped connection."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(Exception):
    """A failure retrying will not fix: 4xx, a changed endpoint or response format."""


@runtime_checkable
class TrendsBackend(Protocol):
    """What a live trends source provides. pytrends is one implementation.

    Every method raises :class:`RetryableError` or :class:`PermanentError` on
    failure (never a library-specific exception).
    """

    name: str

    def interest_over_time(
        self, keywords: Sequence[str], geo: str, timeframe: str, cat: int
    ) -> pd.DataFrame:
        """Wide frame: index = period start, one int column per keyword, bool ``isPartial``."""
        ...

    def interest_by_region(
        self, keywords: Sequence[str], geo: str, timeframe: str, cat: int, resolution: str
    ) -> pd.DataFrame:
        """Wide frame: index = region name, ``geoCode`` column, one int column per keyword."""
        ...

    def related_queries(
        self, keywords: Sequence[str], geo: str, timeframe: str, cat: int
    ) -> dict[str, dict[str, pd.DataFrame | None]]:
        """``{keyword: {"top": frame(query, value) or None, "rising": ...}}``."""
        ...


def _retry_after(response: Any) -> float | None:
    value = getattr(response, "headers", {}).get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _make_trendreq_class() -> type:
    import requests
    from pytrends import request as ptr

    class _TrendReq(ptr.TrendReq):
        """pytrends' TrendReq with a configurable base URL and strict HTTP handling."""

        def __init__(self, base_url: str, hl: str, tz: int, timeout: tuple[float, float]):
            self._base = base_url.rstrip("/")
            self._session = requests.Session()
            super().__init__(hl=hl, tz=tz, timeout=timeout, retries=0, backoff_factor=0)

        def GetGoogleCookie(self) -> dict[str, str]:
            try:
                r = self._session.get(
                    f"{self._base}/explore/?geo={self.hl[-2:]}", timeout=self.timeout
                )
            except requests.RequestException:
                return {}
            return {k: v for k, v in r.cookies.items() if k == "NID"}

        def _get_data(self, url, method="get", trim_chars=0, **kwargs):
            if url.startswith(ptr.BASE_TRENDS_URL):
                url = self._base + url[len(ptr.BASE_TRENDS_URL):]
            s = self._session
            s.headers.update(self.headers)
            try:
                if method == ptr.TrendReq.POST_METHOD:
                    r = s.post(url, timeout=self.timeout, cookies=self.cookies, **kwargs)
                else:
                    r = s.get(url, timeout=self.timeout, cookies=self.cookies, **kwargs)
            except (requests.Timeout, requests.ConnectionError) as exc:
                raise RetryableError(f"{type(exc).__name__} on {url.split('?')[0]}") from None
            except requests.RequestException as exc:
                raise PermanentError(f"{type(exc).__name__}: {exc}") from None
            if r.status_code == 429:
                raise RetryableError("HTTP 429 (too many requests)", _retry_after(r))
            if r.status_code in (500, 502, 503, 504):
                raise RetryableError(f"HTTP {r.status_code}", _retry_after(r))
            if r.status_code != 200:
                raise PermanentError(
                    f"HTTP {r.status_code} on {url.split('?')[0]} (endpoint changed?)"
                )
            try:
                return json.loads(r.text[trim_chars:])
            except json.JSONDecodeError:
                raise PermanentError(
                    f"the answer of {url.split('?')[0]} is not JSON (response format changed?)"
                ) from None

    return _TrendReq


@dataclass
class PytrendsBackend:
    """The pytrends backend (Google's unofficial Trends API).

    Parameters
    ----------
    base_url : str
        Root of the Trends endpoints (``https://trends.google.com/trends``).
    hl : str
        UI language sent to Google.
    tz : int
        Time-zone offset in minutes sent to Google (0 = UTC).
    timeout : (float, float)
        Connect and read timeouts in seconds.
    """

    base_url: str = DEFAULT_BASE_URL
    hl: str = "en-US"
    tz: int = 0
    timeout: tuple[float, float] = (5.0, 15.0)
    name: str = field(default="pytrends", init=False)

    _parameter_constraints = {"base_url": [str], "hl": [str], "tz": [Integral], "timeout": ["array-like"]}

    def __post_init__(self) -> None:
        check_params(vars(self), self._parameter_constraints)

    def _client(self, keywords: Sequence[str], geo: str, timeframe: str, cat: int):
        cls = _make_trendreq_class()
        client = cls(self.base_url, self.hl, self.tz, self.timeout)
        self._call(client.build_payload, list(keywords), cat=cat, timeframe=timeframe, geo=geo)
        return client

    @staticmethod
    def _call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (RetryableError, PermanentError):
            raise
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise PermanentError(
                f"unexpected answer from Google Trends ({type(exc).__name__}: {exc}); "
                "the endpoint or its format may have changed"
            ) from None

    def interest_over_time(self, keywords, geo, timeframe, cat):
        client = self._client(keywords, geo, timeframe, cat)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # pytrends' fillna downcast
            return self._call(client.interest_over_time)

    def interest_by_region(self, keywords, geo, timeframe, cat, resolution="REGION"):
        client = self._client(keywords, geo, timeframe, cat)
        return self._call(
            client.interest_by_region, resolution=resolution, inc_low_vol=True,
            inc_geo_code=True,
        )

    def related_queries(self, keywords, geo, timeframe, cat):
        client = self._client(keywords, geo, timeframe, cat)
        return self._call(client.related_queries)


def call_with_backoff(
    fn: Callable[[], Any],
    *,
    what: str,
    max_retries: int = 4,
    base_delay: float = 2.0,
    max_delay: float = 120.0,
    jitter: float = 0.5,
    sleep: Callable[[float], Any] = time.sleep,
    rng: random.Random | None = None,
) -> Any:
    """Call ``fn``; on :class:`RetryableError` sleep and retry with exponential backoff.

    The ``k``-th wait (``k = 0, 1, ...``) is ``min(max_delay, base_delay * 2**k)``
    times a random factor in ``[1, 1 + jitter)``, and at least the server's
    ``Retry-After`` (capped at ``max_delay``). After ``max_retries`` retries, or on a
    :class:`PermanentError`, raise :class:`~demandlab.errors.SourceError`.

    Examples
    --------
    >>> waits = []
    >>> answers = iter([RetryableError("HTTP 429"), RetryableError("HTTP 429"), "ok"])
    >>> def fn():
    ...     a = next(answers)
    ...     if isinstance(a, Exception):
    ...         raise a
    ...     return a
    >>> call_with_backoff(fn, what="test", base_delay=1.0, jitter=0.0, sleep=waits.append)
    'ok'
    >>> waits
    [1.0, 2.0]
    """
    rng = rng or random.Random()
    for attempt in range(max_retries + 1):
        try:
            return fn()
        except RetryableError as exc:
            if attempt == max_retries:
                raise SourceError(
                    f"Google Trends kept failing for {what}: {exc} "
                    f"({max_retries + 1} attempts)",
                    hint=GIVE_UP_HINT,
                ) from None
            delay = min(max_delay, base_delay * 2**attempt) * (1.0 + jitter * rng.random())
            if exc.retry_after is not None:
                delay = max(delay, min(exc.retry_after, max_delay))
            sleep(delay)
        except PermanentError as exc:
            raise SourceError(
                f"Google Trends refused {what}: {exc}", hint=GIVE_UP_HINT
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


class TrendsCacheWarning(DemandlabWarning):
    """A cache entry could not be read; it is left in place and the request refetched."""


@dataclass
class TrendsCache:
    """On-disk cache of live answers, one JSON file per request.

    The key is a hash of the request (kind, keywords in order, geo, timeframe,
    category and any extra options). Entries are written atomically and only
    after a successful call, so a failed call never loses or overwrites data.
    """

    folder: Path

    @staticmethod
    def request(kind: str, keywords: Sequence[str], geo: str, timeframe: str, cat: int,
                **extra: Any) -> dict[str, Any]:
        return {"kind": kind, "keywords": list(keywords), "geo": geo,
                "timeframe": timeframe, "cat": int(cat), **extra}

    def path(self, request: dict[str, Any]) -> Path:
        blob = json.dumps(request, sort_keys=True, ensure_ascii=False).encode("utf-8")
        digest = hashlib.sha256(blob).hexdigest()[:20]
        return self.folder / f"{request['kind']}-{digest}.json"

    def get(self, request: dict[str, Any]) -> Any | None:
        p = self.path(request)
        if not p.exists():
            return None
        try:
            entry = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            entry = None
        if not isinstance(entry, dict) or "data" not in entry:
            warnings.warn(
                f"cache entry {p.name} is unreadable; fetching it again",
                TrendsCacheWarning, stacklevel=3,
            )
            return None
        if entry.get("request") != request:  # a hash collision or an edited file
            return None
        return entry["data"]

    def put(self, request: dict[str, Any], data: Any, source: str) -> Path:
        entry = {
            "request": request,
            "source": source,
            "fetched_at": pd.Timestamp.now(tz="UTC").isoformat(),
            "data": data,
        }
        try:
            return atomic_write_text(
                self.path(request), json.dumps(entry, ensure_ascii=False, indent=1) + "\n"
            )
        except OSError as exc:
            raise SourceError(
                f"cannot write to the cache folder ({exc.strerror or exc})",
                path=self.folder,
                hint="pass a writable folder as cache_dir / --cache-dir, or set DEMANDLAB_CACHE",
            ) from None
