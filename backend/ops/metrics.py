"""A few Prometheus counters, kept in-process and rendered as text."""

from __future__ import annotations

from collections import defaultdict
from threading import Lock

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self._lock = Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.latency_buckets: dict[str, list[int]] = defaultdict(lambda: [0] * len(_BUCKETS))
        self.latency_sum: dict[str, float] = defaultdict(float)
        self.latency_count: dict[str, int] = defaultdict(int)
        self.counters: dict[str, int] = defaultdict(int)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1
            buckets = self.latency_buckets[route]
            for i, bound in enumerate(_BUCKETS):
                if seconds <= bound:
                    buckets[i] += 1
            self.latency_sum[route] += seconds
            self.latency_count[route] += 1

    def inc(self, name: str, amount: int = 1) -> None:
        with self._lock:
            self.counters[name] += amount

    def render(self, gauges: dict[str, float] | None = None) -> str:
        lines = [
            "# HELP skolebro_http_requests_total HTTP requests by route and status.",
            "# TYPE skolebro_http_requests_total counter",
        ]
        with self._lock:
            for (method, route, status), n in sorted(self.requests.items()):
                lines.append(
                    f'skolebro_http_requests_total{{method="{method}",route="{route}",status="{status}"}} {n}'
                )
            lines.append("# HELP skolebro_http_request_seconds Request latency.")
            lines.append("# TYPE skolebro_http_request_seconds histogram")
            for route, buckets in sorted(self.latency_buckets.items()):
                for bound, n in zip(_BUCKETS, buckets, strict=True):
                    lines.append(f'skolebro_http_request_seconds_bucket{{route="{route}",le="{bound}"}} {n}')
                count = self.latency_count[route]
                lines.append(f'skolebro_http_request_seconds_bucket{{route="{route}",le="+Inf"}} {count}')
                lines.append(
                    f'skolebro_http_request_seconds_sum{{route="{route}"}} {self.latency_sum[route]:.6f}'
                )
                lines.append(f'skolebro_http_request_seconds_count{{route="{route}"}} {count}')
            for name, n in sorted(self.counters.items()):
                lines.append(f"# TYPE skolebro_{name} counter")
                lines.append(f"skolebro_{name} {n}")
        for name, value in sorted((gauges or {}).items()):
            lines.append(f"# TYPE skolebro_{name} gauge")
            lines.append(f"skolebro_{name} {value}")
        return "\n".join(lines) + "\n"


METRICS = Metrics()
