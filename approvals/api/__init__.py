"""The JSON API, /api/v1/ (DRF + drf-spectacular); see urls.py for the routes."""
