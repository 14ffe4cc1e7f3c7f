"""`gongshi import`: spreadsheets (XLSX, XLS, CSV) into a period file of the documented input format."""
