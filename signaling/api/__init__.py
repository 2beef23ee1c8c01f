"""The HTTP routes: classes and attendance, rooms, the technician console, the browser pages,
`/metrics`, and one JSON error shape for all of them."""
