"""The W2RC championship (pure core): points from round results, standings, outlook.

* :mod:`~raidcontrol.championship.rules` — the rulebook's ``championship`` section, typed;
* :mod:`~raidcontrol.championship.model` — rounds, crews, result rows, the season;
* :mod:`~raidcontrol.championship.people` — one person across differently spelled events;
* :mod:`~raidcontrol.championship.points` — a round's crew points (final + stage);
* :mod:`~raidcontrol.championship.manufacturers` — best-two manufacturer points;
* :mod:`~raidcontrol.championship.titles` — drivers / co-drivers / manufacturers per round;
* :mod:`~raidcontrol.championship.standings` — totals and countback;
* :mod:`~raidcontrol.championship.outlook` — points still available, who can win, conditions;
* :mod:`~raidcontrol.championship.from_event` — an event's classifications as result rows;
* :mod:`~raidcontrol.championship.season_results` — a season's table and outlook.

Reading ``season.toml`` and opening the rounds' journals is the adapter
:mod:`raidcontrol.io.season`; the command is ``raidcontrol standings``.
"""
