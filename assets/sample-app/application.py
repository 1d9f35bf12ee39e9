"""A tiny FastAPI service for Elastic Beanstalk's Python platform.

The Procfile runs it with gunicorn and uvicorn workers on port 8000, where the platform's
nginx proxy sends requests.
"""

import platform
from datetime import datetime, timezone

from fastapi import FastAPI

app = FastAPI(title="ebtui sample")


@app.get("/")
def index() -> dict:
    return {
        "message": "Hello from Elastic Beanstalk, deployed with ebtui.",
        # Which instance answered: the load balancer spreads requests over them.
        "host": platform.node(),
        "python": platform.python_version(),
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


@app.get("/health")
def health() -> dict:
    return {"status": "ok"}
