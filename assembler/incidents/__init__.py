"""Data breaches under art. 7: the incident record, the 48-hour rule, the plan and the notices."""
