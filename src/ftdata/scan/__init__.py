"""Text scanning shared by the rules, the diagnostics and the renderers.

* :mod:`ftdata.scan.texts`: the texts of an example, with their pointers and labels;
* :mod:`ftdata.scan.regions`: where code and mathematics sit in a text;
* :mod:`ftdata.scan.secrets` and :mod:`ftdata.scan.vendors`: credentials (P001, and the
  masking of every value a message quotes);
* :mod:`ftdata.scan.pii`: personal data (P002).

Nothing here imports a rule module, so the rules, :mod:`ftdata.diagnostics` and the renderers
can all use it.
"""
