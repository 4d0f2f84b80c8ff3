"""Date review: decisions over the detected capture times (issue 12).

The detected time stays a fact on ``File``; a person's corrections are ``DateAction`` /
``DateDecision`` rows, and ``File.effective_*`` always holds the latest decision, else the fact.
Modules: ``values`` (dataclasses, enums), ``timeinput`` (typed dates, shifts, zones),
``estimate`` (cameras' clock errors from evidence), ``fill`` (dates from neighbours),
``selection`` (which photos), ``decisions`` (make them), ``undo``, ``queue`` (the review queue),
``evidence`` (cross-camera suggestions and fills from the library).
"""

__all__: list[str] = []
