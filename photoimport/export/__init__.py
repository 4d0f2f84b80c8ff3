"""Export an organised copy of the library (issue 14); originals are never written.

* ``template``  path templates: tokens, checks, rendering (effective local wall clock)
* ``plan``      the dry run: destinations, collisions ``_1``, ``_2``, undated, discarded, variants
* ``selection`` the library rows an export reads (``ExportSource``)
* ``destination`` where an export may write (allowed roots, not a source, not the library)
* ``request``   what an export was asked (kept on its job)
* ``create``    ``preview_export`` and ``create_export_job`` (one plan for both)
* ``store``     the export items' SQL (claims, leases, exactly-once commits)
* ``copying``   temporary name, SHA-256 verification, rename; hard links
* ``embed``     the date inside copies (ExifTool, metadata only); ``sidecar``: ``name.ext.xmp``
* ``items``     one item end to end; ``finish``: manifest and summary; ``manifest``: manifest.csv
* ``zipstream`` a ZIP produced as a stream; ``status``: what the page and the ZIP route read
"""

__all__: list[str] = []
