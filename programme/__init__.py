"""The programme as a whole, above the domain apps: the home page and its work figures, the dashboard
(page, PDF and API), the handover archive, and the demo data (`seed_demo`). It may import every app;
no app imports it."""
