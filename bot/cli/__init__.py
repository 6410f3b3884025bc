"""`nhacviec …`: a thin layer over the use cases; one line and a non-zero exit on any failure."""
