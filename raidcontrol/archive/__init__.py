"""A season's tracking archive: every round's fixes as one Parquet dataset, re-checked on Dask.

* :mod:`~raidcontrol.archive.layout` — where everything lives in an archive folder;
* :mod:`~raidcontrol.archive.writing` — ``archive add``: a stage's tracks into the dataset;
* :mod:`~raidcontrol.archive.findings` — the findings table (Arrow schema, rows from a report);
* :mod:`~raidcontrol.archive.task` — the per-partition task a Dask worker runs (pure kernel);
* :mod:`~raidcontrol.archive.run` — the job on ``dask.distributed``: submit, progress, failures;
* :mod:`~raidcontrol.archive.diff` — findings that appear, disappear or change penalty;
* :mod:`~raidcontrol.archive.summary` — findings per round and category;
* :mod:`~raidcontrol.archive.effect` — what a rule change does to classifications and standings;
* :mod:`~raidcontrol.archive.simulate` — simulated tracks for a season's rounds (demo, tests).

See ``docs/archive.md``.
"""
