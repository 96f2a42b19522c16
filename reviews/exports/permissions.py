"""Who exports (given to the roles in ``reviews.permissions.ROLE_PERMISSIONS``).

- ``reviews.export_data``: "Export CSV" and "Export XLSX" on every list the role can read;
- ``reviews.view_exportlog``: reading the log of exports (administrators).
"""

EXPORT = "reviews.export_data"
READ_EXPORT_LOG = "reviews.view_exportlog"
