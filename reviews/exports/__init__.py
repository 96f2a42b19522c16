"""CSV and XLSX exports of the staff lists in the admin: a list declares its columns
(``export_columns``) and mixes in ``ExportMixin``; everything else here is shared."""
