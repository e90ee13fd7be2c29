"""ASGI entry point: ``uvicorn backend.app.asgi:app``."""

from backend.app.factory import create_app

app = create_app()
