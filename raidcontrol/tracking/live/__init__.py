"""Live tracking compliance: fixes arrive while the stage runs, findings are proposed as soon as
they are provable, and the stage's final findings are exactly the batch check's (pure, no I/O).

* :mod:`.fixes`     — a crew's fixes received so far (sorted, one per instant);
* :mod:`.params`    — the live figures of the rulebook (margin, public delay);
* :mod:`.route_km`  — km on the special from the roadbook's points;
* :mod:`.provable`  — which findings of a partial check are provable yet;
* :mod:`.engine`    — :class:`LiveCheck`: advances with batches of fixes, re-checks changed crews;
* :mod:`.positions` — the latest positions and the virtual live ranking.
"""
