"""What operators see of a running bot: Prometheus metrics (metrics.py) and JSON logs (logs.py)."""
