"""The public live results website and the official bulletins.

Server-rendered pages (Jinja2) over the same data as the API: every page is complete without
JavaScript; a small script (``static/live.js``) follows the server's event stream and refreshes
the live parts of a page in place.  Bulletins are the same templates printed by WeasyPrint.

Modules: ``i18n`` (languages), ``views`` (what each page shows, from an open event: pure),
``charts`` and ``maps`` (SVG pictures drawn from the data), ``render`` (the Jinja2
environment), ``pages`` (the FastAPI routes), ``bulletin`` (PDF).
"""
