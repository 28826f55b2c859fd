"""API throttles: DRF's per-user, per-anonymous-IP and scoped rates, kept in one number.

DRF's throttles keep every request's time in the last period as a list in the cache and
read and rewrite the whole list on each request: two round trips, and up to the rate's
count of timestamps (1,200 a minute per user by default) unpickled and pickled again.
These keep one number per client instead, the "theoretical arrival time" of the generic
cell rate algorithm: N requests per period are allowed at once, then one every period/N.
On Redis the check and the update are one Lua script (one round trip, atomic); on other
caches they are a get and a set, as DRF's are."""

from django.core.cache import cache as default_cache
from rest_framework import throttling

# KEYS[1]: the client's key; ARGV: now, interval (period / N), period (seconds).
# Returns 0 when the request is allowed (and counted), else the seconds to wait.
_GCRA = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local new_tat = tat + interval
if new_tat - now > period + 1e-6 then
  return tostring(new_tat - now - period)
end
redis.call('SET', KEYS[1], string.format('%.6f', new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1)
return '0'
"""


def take(key: str, *, now: float, interval: float, period: float, cache=default_cache) -> float:
    """Count one request for ``key``; 0 when allowed, else the seconds until one is."""
    run_script = getattr(cache, "run_script", None)
    if run_script is not None:
        result = run_script(_GCRA, key, [repr(now), repr(interval), repr(period)])
        return float(result.decode() if isinstance(result, bytes) else result)
    tat = max(cache.get(key) or 0.0, now)
    new_tat = tat + interval
    if new_tat - now > period + 1e-6:
        return new_tat - now - period
    cache.set(key, new_tat, int(new_tat - now) + 1)
    return 0.0


class CellRateThrottle(throttling.SimpleRateThrottle):
    """SimpleRateThrottle's rates and cache keys, counted with ``take``."""

    _wait = None

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self._wait = take(
            f"gcra:{self.key}",
            now=self.timer(),
            interval=self.duration / self.num_requests,
            period=self.duration,
            cache=self.cache,
        )
        return self._wait == 0

    def wait(self):
        return self._wait or None


class AnonRateThrottle(throttling.AnonRateThrottle, CellRateThrottle):
    pass


class UserRateThrottle(throttling.UserRateThrottle, CellRateThrottle):
    pass


class ScopedRateThrottle(throttling.ScopedRateThrottle, CellRateThrottle):
    pass


class AddressRateThrottle(CellRateThrottle):
    """Per client address, signed in or not: for doors where a request is a guess at a secret
    (a tracking number and its access code). ``scope`` names the rate in
    ``DEFAULT_THROTTLE_RATES``; browser views use it through ``address_allowed``."""

    def __init__(self, scope=None):
        if scope:
            self.scope = scope
        super().__init__()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class CaseTrackThrottle(AddressRateThrottle):
    scope = "case_track"


def address_allowed(request, scope) -> bool:
    """The same count for a browser view as for the API door of the same scope."""
    return AddressRateThrottle(scope).allow_request(request, None)
