"""Makers: the people in a facility's workshop, named by first name or pseudonym with
their consent, and the products they made (settlements split premi per maker later)."""
