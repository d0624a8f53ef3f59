"""Race control as a live service: an HTTP API over one event's journal (FastAPI + uvicorn).

* :mod:`~raidcontrol.service.app` — the application factory (``create_app``);
* :mod:`~raidcontrol.service.settings` — where the event and its journal are, stream timings;
* :mod:`~raidcontrol.service.view` — the event state held in memory, fed record by record;
* :mod:`~raidcontrol.service.tables` — the one adapter from the event to tables (CSV/JSON);
* :mod:`~raidcontrol.service.feed` — the journal read after a position, grouped into changes;
* :mod:`~raidcontrol.service.stream` — Server-Sent Events, one message per journal change;
* :mod:`~raidcontrol.service.follower` — picks up records written by other processes
  (PostgreSQL ``LISTEN``, else polling);
* :mod:`~raidcontrol.service.users` / :mod:`~raidcontrol.service.auth` — officials' tokens and roles;
* :mod:`~raidcontrol.service.commands` — officials' writes as journal records (pure);
* ``routes_*`` — the read API and one write router per role.

Nothing here is imported at CLI start-up: ``raidcontrol serve`` imports it inside the command.
"""
