"""Sites and their lifecycle, capacity, stays (check-in, check-out, the 45-day limit) and daily headcounts."""
