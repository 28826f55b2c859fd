"""What operators see: Prometheus metrics (``metrics``), structured logs with a request id
carried into tasks (``logs``). The city's own gauges come from each program's ``metrics.py``,
named in ``settings.METRICS_PROVIDERS``, so this kernel imports no program."""
