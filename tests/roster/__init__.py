"""The OneRoster import (CSV) and sync (REST): shapes of real exports, contact points, idempotency."""
