# The demo users' published password: loaded only where IME_DEMO_DATA is on, never in production.
DEMO_PASSWORD = "demo-IME-portal-2026"
