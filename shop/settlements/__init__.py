"""Settlements to facilities, the administrators' money reports and the public
"where the money went" page (issue #10)."""
