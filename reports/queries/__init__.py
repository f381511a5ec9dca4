"""One module per report (SPEC §11): each reads with aggregated SQL (GROUP BY in the
database, no loop over records) and answers a `Table`: the CSV header of CONTRACT 6.4, the
rows, the drill-down of each number and the chart's series."""
